"""The Celery side of the outbox: one generic task runs any job by its outbox id.

Apps never write Celery tasks for their jobs: they register a handler
(lms.jobs.registry.job_handler) and enqueue with lms.jobs.services.job_enqueue.
"""

from celery import shared_task

from . import services


@shared_task(name="lms.jobs.tasks.run_job", ignore_result=True, acks_late=True)
def run_job(job_id: int) -> str:
    """Claim and run one outbox job. Idempotent: a duplicate message finds the job
    already claimed or finished and does nothing."""
    return str(services.job_run(job_id=job_id, eager=bool(run_job.request.is_eager)))


@shared_task(name="lms.jobs.tasks.dispatch_pending", ignore_result=True)
def dispatch_pending() -> int:
    """Beat, every 30 s: hand due pending jobs to the broker."""
    return services.jobs_dispatch_pending()


@shared_task(name="lms.jobs.tasks.sweep_stale", ignore_result=True)
def sweep_stale() -> dict:
    """Beat, every minute: re-queue jobs whose worker died or whose message was lost."""
    result = services.jobs_sweep_stale()
    return {
        "requeued": result.requeued,
        "failed": result.failed,
        "redispatched_lost": result.redispatched_lost,
        "sent": result.sent,
    }


@shared_task(name="lms.jobs.tasks.enqueue_periodic", ignore_result=True)
def enqueue_periodic(task: str) -> int:
    """Beat: put one run of the registered handler `task` in the outbox.

    Schedules name outbox handlers, so a periodic job gets the outbox's guarantees
    (retries, sweep, exactly-once effect). The dedupe key keeps one run pending at a time:
    a beat tick while the previous run still waits adds nothing.
    """
    return services.job_enqueue(task=task, kwargs={}, dedupe_key=f"periodic:{task}").pk
