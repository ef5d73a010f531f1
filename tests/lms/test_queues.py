"""Celery queues (lms.jobs.routing): every job and task of our apps goes to the queue meant
for it, the outbox really sends it there, and some worker in the Procfile listens to it.

A new job handler or Celery task fails `test_every_job_goes_to_its_intended_queue` (or the
task test) until it is given a queue in lms/jobs/routing.py and its intent stated here.
"""

import re
from pathlib import Path
from unittest import mock

import pytest

from lms.celery_app import app as celery_app
from lms.jobs import routing
from lms.jobs.models import OutboxJob
from lms.jobs.registry import handler_get, handler_names
from lms.jobs.services import DispatchResult, job_dispatch
from lms.jobs.tasks import run_job
from tests.services import require_redis

ROOT = Path(__file__).resolve().parents[2]

# The intent, reviewed here: what kind of work each job is.
INTENDED = {
    # Mail and SMS to people: a flood of reminders must not delay anything else.
    "certificates.ready_notify": "messages",
    "courses.enrolment_welcome_send": "messages",
    "courses.send_inactivity_reminders": "messages",
    "training.send_deadline_reminders": "messages",
    "training.send_invitation": "messages",
    "training.send_manager_digests": "messages",
    # PDF rendering (CPU).
    "certificates.render_pdf": "certificates",
    # Rollups and other nightly batches (long, database-heavy).
    "compliance.rollups_refresh": "rollups",
    "compliance.rollups_rebuild": "rollups",
    "indicators.rollups_refresh": "rollups",
    "indicators.rollups_rebuild": "rollups",
    "training.refresh_open_assignments": "rollups",
    "privacy.retention_apply": "rollups",
    "audit.retention_apply": "rollups",
    # Uploaded files.
    "quizzes.pending_imports_sweep": "imports",
    # Short jobs someone may be waiting on.
    "quizzes.attempt_time_out": "default",
    "quizzes.sweep_timed_out": "default",
    "training.refresh_person": "default",
    "training.plans_recur": "default",
}


def our_jobs() -> list[str]:
    """Registered outbox jobs of the project's apps (not the tests' throwaway handlers)."""
    return [name for name in handler_names() if not handler_get(name).func.__module__.startswith("tests.")]


def our_celery_tasks() -> list[str]:
    return sorted(name for name in celery_app.tasks if not name.startswith("celery."))


def test_every_job_goes_to_its_intended_queue():
    jobs = our_jobs()
    assert len(jobs) >= len(INTENDED) - 2  # the registry is really loaded
    unrouted = sorted(set(jobs) - set(routing.JOB_QUEUES))
    assert not unrouted, f"give these jobs a queue in lms/jobs/routing.py JOB_QUEUES: {unrouted}"
    unstated = sorted(set(jobs) - set(INTENDED))
    assert not unstated, f"state the intended queue of these jobs in tests/lms/test_queues.py: {unstated}"
    assert {name: routing.queue_for_job(name) for name in jobs} == {name: INTENDED[name] for name in jobs}
    # No stale entries: a renamed job would otherwise silently fall back to the default queue.
    assert set(routing.JOB_QUEUES) <= set(jobs)
    assert set(routing.JOB_QUEUES.values()) <= set(routing.QUEUES)


def test_every_celery_task_has_a_route():
    tasks = our_celery_tasks()
    assert "lms.jobs.tasks.run_job" in tasks
    unrouted = sorted(set(tasks) - set(routing.TASK_QUEUES))
    assert not unrouted, f"give these Celery tasks a queue in lms/jobs/routing.py TASK_QUEUES: {unrouted}"
    for name in tasks:
        route = celery_app.amqp.router.route({}, name)
        assert route["queue"].name == routing.TASK_QUEUES[name], name


def test_beat_schedules_only_routed_tasks_and_registered_jobs():
    for entry in celery_app.conf.beat_schedule.values():
        assert entry["task"] in routing.TASK_QUEUES, entry
        if entry["task"] == "lms.jobs.tasks.enqueue_periodic":
            assert entry["args"][0] in routing.JOB_QUEUES, entry


@pytest.fixture
def not_eager():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = before


@pytest.mark.django_db
def test_the_outbox_hands_each_job_to_its_queue(not_eager):
    sent = {}
    with mock.patch.object(run_job, "apply_async") as apply_async:
        for name in our_jobs():
            job = OutboxJob.objects.create(task=name, kwargs={})
            assert job_dispatch(job_id=job.pk) == DispatchResult.SENT  # looks the name up
            sent[name] = apply_async.call_args.kwargs["queue"]
            assert apply_async.call_args.kwargs["args"] == [job.pk]
    assert sent == {name: INTENDED[name] for name in our_jobs()}


def _reset_producer_pools() -> None:
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.mark.django_db
def test_messages_land_in_the_queues_on_a_real_broker(not_eager):
    require_redis()
    _reset_producer_pools()
    one_job_per_queue = {}
    for name in our_jobs():
        one_job_per_queue.setdefault(INTENDED[name], name)
    assert set(one_job_per_queue) == set(routing.QUEUES)
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in routing.QUEUES:
            channel.queue_declare(queue=queue)
            channel.queue_purge(queue)
        try:
            for name in one_job_per_queue.values():
                job = OutboxJob.objects.create(task=name, kwargs={})
                assert job_dispatch(job_id=job.pk, task=name) == DispatchResult.SENT
            counts = {queue: channel.queue_declare(queue=queue, passive=True).message_count
                      for queue in routing.QUEUES}
        finally:
            for queue in routing.QUEUES:
                channel.queue_purge(queue)
    assert counts == dict.fromkeys(routing.QUEUES, 1)


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_some_worker_in_the_procfile_listens_to_every_queue():
    processes = _procfile()
    listened: list[str] = []
    for command in processes.values():
        if " worker " in command:
            match = re.search(r"--queues (\S+)", command)
            assert match, f"a worker without --queues would listen to every queue: {command}"
            listened += match.group(1).split(",")
    assert sorted(listened) == sorted(routing.QUEUES)  # each queue exactly once
    assert sum(" beat " in command for command in processes.values()) == 1
    assert processes["web"].strip() == "gunicorn --config gunicorn.conf.py"
