"""The outbox state machine, on any database, without a broker (eager mode)."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from lms.jobs import services
from lms.jobs.models import OutboxJob
from lms.jobs.registry import handler_unregister, job_handler
from lms.jobs.selectors import job_counts_by_state
from lms.jobs.services import (
    DispatchResult,
    RunResult,
    job_enqueue,
    job_retry,
    job_run,
    jobs_dispatch_pending,
    jobs_sweep_stale,
    retry_backoff_seconds,
)

from .handlers import marks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager")]
State = OutboxJob.State


def _enqueue(user, task="tests.mark", **kw):
    return job_enqueue(task=task, kwargs={"user_id": user.pk}, **kw)


def test_enqueue_writes_a_pending_row_and_runs_it_inline_on_commit(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = _enqueue(user)
    job.refresh_from_db()
    assert (job.state, job.task, job.kwargs, job.max_attempts) == (
        State.PENDING,
        "tests.mark",
        {"user_id": user.pk},
        3,
    )
    assert marks(user.pk) == 0 and len(callbacks) == 1

    callbacks[0]()
    job.refresh_from_db()
    assert job.state == State.DONE and job.attempts == 1 and job.finished_at is not None
    assert marks(user.pk) == 1


def test_a_rolled_back_transaction_leaves_no_job(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            _enqueue(user)
            raise ZeroDivisionError
    assert callbacks == [] and not OutboxJob.objects.exists() and marks(user.pk) == 0


def test_unknown_task_and_objects_in_kwargs_are_refused_at_once(user):
    with pytest.raises(ValueError, match="Unknown job"):
        job_enqueue(task="tests.nope", kwargs={})
    with pytest.raises(ValueError, match="plain JSON"):
        job_enqueue(task="tests.mark", kwargs={"user": user})
    assert not OutboxJob.objects.exists()


def test_running_twice_runs_once(user):
    job = OutboxJob.objects.create(task="tests.mark", kwargs={"user_id": user.pk})
    assert job_run(job_id=job.pk) == RunResult.DONE
    assert job_run(job_id=job.pk) == RunResult.SKIPPED
    assert job_run(job_id=10**9) == RunResult.MISSING
    job.refresh_from_db()
    assert job.attempts == 1 and marks(user.pk) == 1


def test_a_job_is_not_claimed_before_run_after(user):
    later = timezone.now() + datetime.timedelta(hours=1)
    job = OutboxJob.objects.create(task="tests.mark", kwargs={"user_id": user.pk}, run_after=later)
    assert job_run(job_id=job.pk, eager=True) == RunResult.SKIPPED
    assert jobs_dispatch_pending() == 0
    job.refresh_from_db()
    assert job.state == State.PENDING and job.attempts == 0


def test_failure_is_retried_with_backoff_then_failed_with_the_error(user):
    job = OutboxJob.objects.create(task="tests.fail", kwargs={"user_id": user.pk}, max_attempts=2)
    before = timezone.now()
    assert job_run(job_id=job.pk) == RunResult.RETRY
    job.refresh_from_db()
    assert job.state == State.PENDING and job.attempts == 1
    assert job.run_after >= before + datetime.timedelta(seconds=retry_backoff_seconds(1))
    assert "RuntimeError: cố ý thất bại" in job.last_error
    # Not due yet: the eager dispatcher leaves it alone.
    assert jobs_dispatch_pending() == 0

    OutboxJob.objects.filter(pk=job.pk).update(run_after=timezone.now())
    assert jobs_dispatch_pending() == 1  # eager: runs the second attempt now
    job.refresh_from_db()
    assert job.state == State.FAILED and job.attempts == 2 and job.finished_at is not None
    assert "RuntimeError: cố ý thất bại" in job.last_error
    assert marks(user.pk, "!") == 0  # every failed attempt's writes were rolled back


def test_job_without_handler_fails_without_retry(user):
    job = OutboxJob.objects.create(task="tests.gone", kwargs={})
    assert job_run(job_id=job.pk) == RunResult.FAILED
    job.refresh_from_db()
    assert job.state == State.FAILED and "no handler" in job.last_error


def test_backoff_doubles_up_to_the_cap(settings):
    settings.JOBS_RETRY_BACKOFF_SECONDS = 10
    settings.JOBS_RETRY_BACKOFF_MAX_SECONDS = 60
    assert [retry_backoff_seconds(n) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]


def test_dedupe_key_is_held_while_the_job_is_active(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = _enqueue(user, dedupe_key="welcome:1")
        second = _enqueue(user, dedupe_key="welcome:1")
        other = _enqueue(user, dedupe_key="welcome:2")
    assert second.pk == first.pk and other.pk != first.pk
    assert OutboxJob.objects.filter(dedupe_key="welcome:1").count() == 1

    job_run(job_id=first.pk)
    with django_capture_on_commit_callbacks(execute=False):
        again = _enqueue(user, dedupe_key="welcome:1")
    assert again.pk != first.pk  # a finished job releases its key


def test_the_database_refuses_two_active_jobs_with_one_dedupe_key(user):
    from django.db import IntegrityError

    OutboxJob.objects.create(task="tests.mark", dedupe_key="k", state=State.RUNNING)
    OutboxJob.objects.create(task="tests.mark", dedupe_key="k", state=State.DONE)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxJob.objects.create(task="tests.mark", dedupe_key="k")


def test_a_broker_error_leaves_the_job_pending_and_never_reaches_the_caller(
    user, django_capture_on_commit_callbacks
):
    with mock.patch("lms.jobs.tasks.run_job.apply_async", side_effect=OperationalError("refused")):
        with django_capture_on_commit_callbacks(execute=True):
            job = _enqueue(user)
        assert services.job_dispatch(job_id=job.pk) == DispatchResult.BROKER_ERROR
        assert jobs_dispatch_pending() == 0
    job.refresh_from_db()
    assert job.state == State.PENDING and marks(user.pk) == 0
    assert jobs_dispatch_pending() == 1  # the broker is back
    job.refresh_from_db()
    assert job.state == State.DONE and marks(user.pk) == 1


def test_sweep_requeues_a_dead_workers_job_and_fences_the_late_worker(user):
    expired = timezone.now() - datetime.timedelta(seconds=1)
    job = OutboxJob.objects.create(
        task="tests.mark",
        kwargs={"user_id": user.pk},
        state=State.RUNNING,
        attempts=1,
        lease_expires_at=expired,
    )
    result = jobs_sweep_stale()
    assert (result.requeued, result.failed, result.sent) == (1, 0, 1)
    job.refresh_from_db()
    assert job.state == State.DONE and job.attempts == 2 and marks(user.pk) == 1
    # The presumed-dead worker (attempt 1) reports late: its write is refused.
    assert services._mark_done(job.pk, 1) is False
    assert jobs_sweep_stale().requeued == 0 and marks(user.pk) == 1


def test_sweep_leaves_live_leases_alone_and_fails_exhausted_jobs(user):
    now = timezone.now()
    live = OutboxJob.objects.create(
        task="tests.mark",
        state=State.RUNNING,
        attempts=1,
        lease_expires_at=now + datetime.timedelta(minutes=5),
    )
    exhausted = OutboxJob.objects.create(
        task="tests.mark",
        state=State.RUNNING,
        attempts=3,
        max_attempts=3,
        lease_expires_at=now - datetime.timedelta(seconds=1),
    )
    result = jobs_sweep_stale()
    assert (result.requeued, result.failed) == (0, 1)
    live.refresh_from_db()
    exhausted.refresh_from_db()
    assert live.state == State.RUNNING
    assert exhausted.state == State.FAILED and "WorkerLost" in exhausted.last_error


def test_sweep_resends_a_dispatched_job_whose_message_was_lost(user, settings):
    settings.JOBS_DISPATCH_TIMEOUT_SECONDS = 60
    old = timezone.now() - datetime.timedelta(minutes=5)
    lost = OutboxJob.objects.create(
        task="tests.mark",
        kwargs={"user_id": user.pk},
        state=State.DISPATCHED,
        dispatched_at=old,
        run_after=old,
    )
    fresh = OutboxJob.objects.create(
        task="tests.mark", kwargs={"user_id": user.pk}, state=State.DISPATCHED, dispatched_at=timezone.now()
    )
    assert jobs_sweep_stale().redispatched_lost == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.state == State.DONE and fresh.state == State.DISPATCHED and marks(user.pk) == 1


def test_lease_lost_during_a_non_atomic_run_is_reported(user):
    @job_handler("tests.swept_midway", atomic=False)
    def swept_midway(*, job_id_holder: list) -> None:
        # Simulate the sweeper deciding this worker is dead while it still runs.
        OutboxJob.objects.filter(task="tests.swept_midway").update(state=State.PENDING)

    try:
        job = OutboxJob.objects.create(task="tests.swept_midway", kwargs={"job_id_holder": []})
        assert job_run(job_id=job.pk) == RunResult.LEASE_LOST
        job.refresh_from_db()
        assert job.state == State.PENDING
    finally:
        handler_unregister("tests.swept_midway")


def test_heartbeat_extends_the_lease_of_the_running_job(user):
    seen = {}

    @job_handler("tests.heartbeat", atomic=False, lease_seconds=3600)
    def heartbeat(*, job_id: int) -> None:
        OutboxJob.objects.filter(pk=job_id).update(lease_expires_at=timezone.now())
        seen["beat"] = services.job_heartbeat()
        seen["lease"] = OutboxJob.objects.get(pk=job_id).lease_expires_at

    try:
        job = OutboxJob.objects.create(task="tests.heartbeat")
        OutboxJob.objects.filter(pk=job.pk).update(kwargs={"job_id": job.pk})
        assert job_run(job_id=job.pk) == RunResult.DONE
        assert seen["beat"] is True
        assert seen["lease"] > timezone.now() + datetime.timedelta(minutes=59)
        assert services.job_heartbeat() is False  # outside a job
    finally:
        handler_unregister("tests.heartbeat")


def test_retry_gives_a_failed_job_new_attempts(user, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    job = OutboxJob.objects.create(
        task="tests.mark", kwargs={"user_id": user.pk}, state=State.FAILED, attempts=3
    )
    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job=job)
    job.refresh_from_db()
    assert job.state == State.DONE and job.attempts == 1 and marks(user.pk) == 1
    with pytest.raises(ValidationError):
        job_retry(job=job)


def test_duplicate_handler_names_are_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        job_handler("tests.mark")(lambda **kw: None)


def test_jobs_status_prints_counts_per_state(user, capsys):
    OutboxJob.objects.create(task="tests.mark", state=State.FAILED)
    OutboxJob.objects.create(task="tests.mark", state=State.DONE)
    OutboxJob.objects.create(task="tests.mark", state=State.DONE)
    assert job_counts_by_state() == {"pending": 0, "dispatched": 0, "running": 0, "done": 2, "failed": 1}
    call_command("jobs_status")
    out = capsys.readouterr().out
    assert "done        2" in out and "failed      1" in out and "pending     0" in out


def test_jobs_dispatch_command_runs_due_jobs_in_eager_mode(user, capsys):
    OutboxJob.objects.create(task="tests.mark", kwargs={"user_id": user.pk})
    call_command("jobs_dispatch")
    assert "sent 1" in capsys.readouterr().out and marks(user.pk) == 1


def test_admin_lists_jobs_read_only(client):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    job = OutboxJob.objects.create(task="tests.mark", last_error="Boom")
    client.force_login(admin)
    assert client.get("/django-admin/jobs/outboxjob/").status_code == 200
    assert client.get(f"/django-admin/jobs/outboxjob/{job.pk}/change/").status_code == 200
    assert client.get("/django-admin/jobs/outboxjob/add/").status_code == 403
    assert client.post(f"/django-admin/jobs/outboxjob/{job.pk}/delete/").status_code == 403
    assert OutboxJob.objects.filter(pk=job.pk).exists()
