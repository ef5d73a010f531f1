"""Beat schedules outbox handlers through enqueue_periodic: one pending run at a time."""

import pytest

from lms.celery_app import app
from lms.jobs.models import OutboxJob
from lms.jobs.registry import job_handler
from lms.jobs.tasks import enqueue_periodic

pytestmark = pytest.mark.django_db

RUNS: list[int] = []


@job_handler("tests.periodic_probe")
def _probe() -> None:
    RUNS.append(1)


def test_every_scheduled_outbox_job_is_registered():
    from lms.jobs.registry import handler_get

    for entry in app.conf.beat_schedule.values():
        if entry["task"] == "lms.jobs.tasks.enqueue_periodic":
            assert handler_get(entry["args"][0]) is not None


def test_periodic_enqueue_keeps_one_pending_run():
    # Inside the test's transaction nothing is dispatched: the row stays pending.
    first = enqueue_periodic("tests.periodic_probe")
    second = enqueue_periodic("tests.periodic_probe")
    assert first == second
    assert OutboxJob.objects.filter(task="tests.periodic_probe").count() == 1
