"""Writes on the job outbox: enqueue, dispatch, claim and run, retry, sweep.

Every state change is one conditional UPDATE (``… WHERE state IN (…)``), so two
workers, or a worker and the sweeper, can never both win the same transition. The
attempt number doubles as a fencing token: a worker presumed dead that comes back late
cannot overwrite what the run that replaced it recorded.
"""

import contextvars
import datetime
import enum
import json
import logging
import traceback
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxJob
from .registry import handler_get, handler_names
from .routing import queue_for_job

logger = logging.getLogger(__name__)

State = OutboxJob.State


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def retry_backoff_seconds(attempt: int) -> float:
    """Delay before the retry that follows failed attempt number `attempt` (1, 2, …):
    JOBS_RETRY_BACKOFF_SECONDS doubled at each attempt, at most
    JOBS_RETRY_BACKOFF_MAX_SECONDS."""
    base = _setting("JOBS_RETRY_BACKOFF_SECONDS", 30)
    cap = _setting("JOBS_RETRY_BACKOFF_MAX_SECONDS", 3600)
    return min(base * 2 ** max(attempt - 1, 0), cap)


class DispatchResult(enum.StrEnum):
    SENT = "sent"  # handed to the broker (or, in eager mode, run inline)
    DEFERRED = "deferred"  # not due yet: the dispatcher sends it when it is
    BROKER_ERROR = "broker_error"  # the broker refused; the row stays pending


class RunResult(enum.StrEnum):
    DONE = "done"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"  # already claimed, finished, or not due: nothing to do
    MISSING = "missing"
    LEASE_LOST = "lease_lost"  # swept while running: the effects were rolled back


def job_enqueue(
    *,
    task: str,
    kwargs: dict[str, Any],
    dedupe_key: str | None = None,
    run_after: datetime.datetime | None = None,
    max_attempts: int | None = None,
) -> OutboxJob:
    """Write a job to the outbox in the caller's transaction; hand it to Celery once
    that transaction commits.

    Rules: `task` must be a registered handler name (lms.jobs.registry) and `kwargs`
    JSON made of ids and plain values, never objects; a programming error raises
    ValueError at once rather than failing later in a worker. While a job with the same
    `dedupe_key` is pending, dispatched or running, that job is returned and nothing new
    is written. If the transaction rolls back, the job never existed. If the broker is
    down on commit, the row stays pending and the dispatcher sends it later: the caller
    never sees a broker error. With CELERY_TASK_ALWAYS_EAGER the job runs inline on
    commit. A job with a future `run_after` is sent by the dispatcher when it is due.
    """
    handler = handler_get(task)
    if handler is None:
        raise ValueError(f"Unknown job {task!r}; registered jobs: {', '.join(handler_names()) or 'none'}")
    try:
        json.dumps(kwargs)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Job kwargs must be plain JSON (ids, not objects): {exc}") from exc
    if dedupe_key:
        existing = OutboxJob.objects.filter(dedupe_key=dedupe_key, state__in=OutboxJob.ACTIVE_STATES).first()
        if existing is not None:
            return existing
    job = OutboxJob(
        task=task,
        kwargs=kwargs,
        dedupe_key=dedupe_key or None,
        run_after=run_after or timezone.now(),
        max_attempts=max_attempts or handler.max_attempts,
    )
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        # Lost a race with a concurrent enqueue of the same dedupe key.
        existing = (
            OutboxJob.objects.filter(dedupe_key=dedupe_key, state__in=OutboxJob.ACTIVE_STATES).first()
            if dedupe_key
            else None
        )
        if existing is None:
            raise
        return existing
    transaction.on_commit(
        partial(job_dispatch, job_id=job.pk, run_after=job.run_after, task=job.task), robust=True
    )
    return job


def _celery_app():
    from lms.celery_app import app

    return app


def job_dispatch(
    *, job_id: int, run_after: datetime.datetime | None = None, task: str | None = None
) -> DispatchResult:
    """Hand one pending job to the broker, on its job's queue (lms.jobs.routing), and mark
    it dispatched. `task` is the job's name when the caller has it (saves a query).

    Rules: a job due within JOBS_MAX_COUNTDOWN_SECONDS (60) is sent with a countdown; a
    job due later stays pending for the dispatcher (long ETAs do not belong in Redis).
    A broker error is logged and leaves the row pending; it is never raised. In eager
    mode the job runs inline now if due, and waits for `jobs_dispatch` otherwise.
    """
    from .tasks import run_job

    now = timezone.now()
    delay = max((run_after - now).total_seconds(), 0.0) if run_after else 0.0
    eager = bool(_celery_app().conf.task_always_eager)
    if delay > 0 and (eager or delay > _setting("JOBS_MAX_COUNTDOWN_SECONDS", 60)):
        return DispatchResult.DEFERRED
    # Marked before sending, so a fast worker never races the mark; a crash between the
    # two leaves a "dispatched" row that the sweeper sends again after a timeout.
    marked = (
        not eager
        and OutboxJob.objects.filter(pk=job_id, state=State.PENDING).update(
            state=State.DISPATCHED, dispatched_at=now, updated_at=now
        )
        > 0
    )
    if task is None:
        task = OutboxJob.objects.filter(pk=job_id).values_list("task", flat=True).first() or ""
    try:
        run_job.apply_async(args=[job_id], countdown=delay or None, retry=False, queue=queue_for_job(task))
    except Exception:
        logger.warning("Job %s stays pending: Celery could not take it (broker down?)", job_id, exc_info=True)
        if marked:
            OutboxJob.objects.filter(pk=job_id, state=State.DISPATCHED, dispatched_at=now).update(
                state=State.PENDING, dispatched_at=None, updated_at=now
            )
        return DispatchResult.BROKER_ERROR
    return DispatchResult.SENT


def jobs_dispatch_pending(*, limit: int = 500) -> int:
    """Send every pending job that is due to the broker, oldest first, at most `limit`
    per call. Stops at the first broker error (the broker is down: the next run tries
    again). Returns how many were sent."""
    now = timezone.now()
    due = list(
        OutboxJob.objects.filter(state=State.PENDING, run_after__lte=now)
        .order_by("run_after", "id")
        .values_list("id", "run_after", "task")[:limit]
    )
    sent = 0
    for job_id, run_after, task in due:
        result = job_dispatch(job_id=job_id, run_after=run_after, task=task)
        if result == DispatchResult.BROKER_ERROR:
            logger.error(
                "Outbox dispatch stopped: broker unreachable, %s job(s) still pending", len(due) - sent
            )
            break
        if result == DispatchResult.SENT:
            sent += 1
    return sent


@dataclass(frozen=True)
class SweepResult:
    requeued: int
    failed: int
    redispatched_lost: int
    sent: int


def jobs_sweep_stale() -> SweepResult:
    """Recover jobs that a dead worker or a lost message left behind, then dispatch.

    Rules: a running job whose lease expired (its worker died) goes back to pending,
    due now, unless its attempts are used up: then it is failed. A dispatched job not
    claimed within JOBS_DISPATCH_TIMEOUT_SECONDS (900) goes back to pending (its message
    was lost). A duplicate message is harmless: only one worker can claim a job.
    """
    now = timezone.now()
    expired = OutboxJob.objects.filter(state=State.RUNNING, lease_expires_at__lt=now)
    failed = expired.filter(attempts__gte=F("max_attempts")).update(
        state=State.FAILED,
        finished_at=now,
        lease_expires_at=None,
        last_error="WorkerLost: the lease expired while running and no attempts are left",
        updated_at=now,
    )
    requeued = expired.update(
        state=State.PENDING,
        run_after=now,
        lease_expires_at=None,
        last_error="WorkerLost: the lease expired while running; re-queued",
        updated_at=now,
    )
    timeout = datetime.timedelta(seconds=_setting("JOBS_DISPATCH_TIMEOUT_SECONDS", 900))
    lost = OutboxJob.objects.filter(
        state=State.DISPATCHED, dispatched_at__lt=now - timeout, run_after__lt=now - timeout
    ).update(state=State.PENDING, updated_at=now)
    if failed or requeued or lost:
        logger.warning(
            "Outbox sweep: %s re-queued, %s failed, %s lost messages re-sent", requeued, failed, lost
        )
    sent = jobs_dispatch_pending()
    return SweepResult(requeued=requeued, failed=failed, redispatched_lost=lost, sent=sent)


class _LeaseLost(Exception):
    pass


@dataclass(frozen=True)
class _CurrentJob:
    job_id: int
    attempt: int
    lease_seconds: int


_current: contextvars.ContextVar[_CurrentJob | None] = contextvars.ContextVar("lms_current_job", default=None)


def job_heartbeat() -> bool:
    """Extend the lease of the job running in this thread (for long handlers registered
    with ``atomic=False``; inside an atomic handler the update would stay invisible to
    the sweeper until the end). Returns False when not in a job or the lease was lost."""
    current = _current.get()
    if current is None:
        return False
    now = timezone.now()
    return bool(
        OutboxJob.objects.filter(pk=current.job_id, state=State.RUNNING, attempts=current.attempt).update(
            lease_expires_at=now + datetime.timedelta(seconds=current.lease_seconds), updated_at=now
        )
    )


def _fenced(job_id: int, attempt: int):
    return OutboxJob.objects.filter(pk=job_id, state=State.RUNNING, attempts=attempt)


def _error_text(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(exc))
    summary = f"{type(exc).__name__}: {exc}"
    return (summary + "\n\n" + text[-3500:])[:4000]


def job_run(*, job_id: int, eager: bool = False) -> RunResult:
    """Claim a job, run its handler, record the outcome. Called by the Celery task.

    Rules: the claim is one conditional UPDATE from pending/dispatched (and due) to
    running, which also counts the attempt and sets the lease; if it matches no row,
    nothing runs. An atomic handler's writes commit together with "done", so they
    happen once even if the job is re-run after a crash; if the job was swept while it
    ran, its writes are rolled back. A failure is retried after a backoff until
    max_attempts, then the job is failed with the error kept in last_error.
    """
    job = OutboxJob.objects.filter(pk=job_id).first()
    if job is None:
        logger.warning("Job %s does not exist (deleted?)", job_id)
        return RunResult.MISSING
    handler = handler_get(job.task)
    lease_seconds = handler.lease_seconds if handler else 600
    now = timezone.now()
    claimed = OutboxJob.objects.filter(
        pk=job_id, state__in=OutboxJob.CLAIMABLE_STATES, run_after__lte=now
    ).update(
        state=State.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        lease_expires_at=now + datetime.timedelta(seconds=lease_seconds),
        updated_at=now,
    )
    if not claimed:
        if job.state in OutboxJob.CLAIMABLE_STATES and job.run_after > now and not eager:
            # The message arrived early (clock skew): send it again for when it is due.
            job_dispatch(job_id=job_id, run_after=job.run_after, task=job.task)
        return RunResult.SKIPPED
    job.refresh_from_db()
    attempt = job.attempts
    if handler is None:
        return _record_failure(
            job, attempt, f"LookupError: no handler registered for {job.task!r}", final=True
        )

    token = _current.set(_CurrentJob(job_id=job_id, attempt=attempt, lease_seconds=lease_seconds))
    try:
        if handler.atomic:
            with transaction.atomic():
                handler.func(**job.kwargs)
                if not _mark_done(job_id, attempt):
                    raise _LeaseLost
        else:
            handler.func(**job.kwargs)
            if not _mark_done(job_id, attempt):
                raise _LeaseLost
    except _LeaseLost:
        logger.warning("Job %s attempt %s lost its lease while running; the re-run wins", job_id, attempt)
        return RunResult.LEASE_LOST
    except Exception as exc:
        logger.warning("Job %s (%s) attempt %s failed", job_id, job.task, attempt, exc_info=True)
        return _record_failure(job, attempt, _error_text(exc))
    finally:
        _current.reset(token)
    return RunResult.DONE


def _mark_done(job_id: int, attempt: int) -> bool:
    now = timezone.now()
    return bool(
        _fenced(job_id, attempt).update(
            state=State.DONE, finished_at=now, lease_expires_at=None, last_error="", updated_at=now
        )
    )


def _record_failure(job: OutboxJob, attempt: int, error: str, *, final: bool = False) -> RunResult:
    now = timezone.now()
    if final or attempt >= job.max_attempts:
        _fenced(job.pk, attempt).update(
            state=State.FAILED, finished_at=now, lease_expires_at=None, last_error=error, updated_at=now
        )
        logger.error("Job %s (%s) failed after %s attempt(s)", job.pk, job.task, attempt)
        return RunResult.FAILED
    run_after = now + datetime.timedelta(seconds=retry_backoff_seconds(attempt))
    if _fenced(job.pk, attempt).update(
        state=State.PENDING, run_after=run_after, lease_expires_at=None, last_error=error, updated_at=now
    ):
        job_dispatch(job_id=job.pk, run_after=run_after, task=job.task)
    return RunResult.RETRY


@transaction.atomic
def job_retry(*, job: OutboxJob) -> OutboxJob:
    """Give a failed job another full set of attempts (an operator's decision).

    Rules: only failed jobs; their dedupe key must not be held by another active job.
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if job.state != State.FAILED:
        raise ValidationError(_("Chỉ chạy lại được tác vụ đã thất bại."))
    if (
        job.dedupe_key
        and OutboxJob.objects.filter(dedupe_key=job.dedupe_key, state__in=OutboxJob.ACTIVE_STATES).exists()
    ):
        raise ValidationError(_("Một tác vụ khác cùng khoá chống trùng đang chờ hoặc đang chạy."))
    now = timezone.now()
    OutboxJob.objects.filter(pk=job.pk, state=State.FAILED).update(
        state=State.PENDING, attempts=0, run_after=now, finished_at=None, updated_at=now
    )
    transaction.on_commit(partial(job_dispatch, job_id=job.pk, run_after=now, task=job.task), robust=True)
    job.refresh_from_db()
    return job
