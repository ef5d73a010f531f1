"""Which Celery queue each piece of background work goes to.

Workers are started per queue group (Procfile, docs/operations.md), so a flood of one
kind of work (100,000 reminder mails, a nightly rebuild) never delays another (a
certificate someone is waiting for). Outbox jobs all run through the one Celery task
``lms.jobs.tasks.run_job``; ``job_dispatch`` sends each to the queue its job name maps to
here. Celery's own tasks are routed by ``task_routes`` (lms.celery_app).

A new job or task must be added here: tests/lms/test_queues.py fails for one that is not.
"""

DEFAULT = "default"
MESSAGES = "messages"  # mail, SMS, reminders, digests: waits on SMTP and SMS gateways
CERTIFICATES = "certificates"  # PDF rendering: CPU
ROLLUPS = "rollups"  # compliance and indicator refresh/rebuild, other batch recomputation
IMPORTS = "imports"  # uploaded files: large, slow, memory-hungry

QUEUES = (DEFAULT, MESSAGES, CERTIFICATES, ROLLUPS, IMPORTS)

# Outbox job name (lms.jobs.registry) -> queue.
JOB_QUEUES: dict[str, str] = {
    # messages
    "certificates.ready_notify": MESSAGES,
    "courses.enrolment_welcome_send": MESSAGES,
    "courses.send_inactivity_reminders": MESSAGES,
    "training.send_deadline_reminders": MESSAGES,
    "training.send_invitation": MESSAGES,
    "training.send_manager_digests": MESSAGES,
    # certificates
    "certificates.render_pdf": CERTIFICATES,
    # rollups
    "compliance.rollups_refresh": ROLLUPS,
    "compliance.rollups_rebuild": ROLLUPS,
    "indicators.rollups_refresh": ROLLUPS,
    "indicators.rollups_rebuild": ROLLUPS,
    # nightly recomputation of every open assignment (hours on a national data set)
    "training.refresh_open_assignments": ROLLUPS,
    # nightly: blank personal details past their retention (a batch over the visits)
    "privacy.retention_apply": ROLLUPS,
    # nightly: delete audit-log events past AUDIT_RETENTION_DAYS (batches of 5,000)
    "audit.retention_apply": ROLLUPS,
    # imports
    "quizzes.pending_imports_sweep": IMPORTS,
    # default: short jobs a person may be waiting on
    "quizzes.attempt_time_out": DEFAULT,
    "quizzes.sweep_timed_out": DEFAULT,
    "training.refresh_person": DEFAULT,
    "training.plans_recur": DEFAULT,
}

# Celery task name -> queue (the outbox's own machinery stays on the default queue).
TASK_QUEUES: dict[str, str] = {
    "lms.jobs.tasks.run_job": DEFAULT,  # job_dispatch names the job's queue on each send
    "lms.jobs.tasks.dispatch_pending": DEFAULT,
    "lms.jobs.tasks.sweep_stale": DEFAULT,
    "lms.jobs.tasks.enqueue_periodic": DEFAULT,
}


def queue_for_job(task: str) -> str:
    """The queue of outbox job `task`; the default queue for a name not listed."""
    return JOB_QUEUES.get(task, DEFAULT)


def task_routes() -> dict[str, dict[str, str]]:
    """Celery's ``task_routes`` setting."""
    return {name: {"queue": queue} for name, queue in TASK_QUEUES.items()}
