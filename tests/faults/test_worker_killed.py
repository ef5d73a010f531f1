"""A Celery worker killed (SIGKILL) in the middle of a job loses nothing.

A real worker process (tests/faults/slow_worker.py) takes the job from the throwaway Redis,
stops inside it and is killed with SIGKILL: no clean-up, no acknowledgement, its database
connection cut. After its lease expires the sweep (lms.jobs.services.jobs_sweep_stale, run
by beat every minute) puts the job back; a new worker finishes it; the effect happens once.
"""

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from community_teams.indicators.services import rollups_rebuild
from community_teams.sync import visit_batch_sync
from courses.certificates.models import Certificate
from courses.services import enrolment_create, lesson_complete
from lms.jobs.models import OutboxJob
from lms.jobs.services import jobs_sweep_stale
from tests.courses.builders import course_build, index_build, lessons_of
from tests.factories import UserFactory

from .conftest import thread_worker, wait_for
from .data import rollup_snapshot, team_world, visit_items

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
State = OutboxJob.State


def _job(task: str) -> OutboxJob:
    return OutboxJob.objects.get(task=task)


def _lease_expired(job_id: int) -> bool:
    lease = OutboxJob.objects.get(pk=job_id).lease_expires_at
    return lease is not None and lease < timezone.now()


def test_worker_killed_while_drawing_a_certificate(services_at, worker_process, settings):
    settings.DEFAULT_FROM_EMAIL = "khoa-hoc@example.test"
    course = course_build(index=index_build(), lessons_per_module=1, slug="chung-nhan-su-co")
    learner = UserFactory(username="hoc-vien-su-co", email="hoc-vien@example.test")
    enrolment_create(learner=learner, course=course)
    with transaction.atomic():
        lesson_complete(learner=learner, lesson=lessons_of(course)[0])
    certificate = Certificate.objects.get(learner=learner, course=course)
    render = _job("certificates.render_pdf")
    assert render.state == State.DISPATCHED  # in the broker's queue, no worker yet

    worker = worker_process(pause_in="certificate")
    worker.wait_inside_job()
    render.refresh_from_db()
    assert (render.state, render.attempts) == (State.RUNNING, 1)
    worker.kill()
    certificate.refresh_from_db()
    assert certificate.pdf_state == Certificate.PdfState.PENDING and not certificate.pdf

    # Before its lease ends the job is the dead worker's: the sweep leaves it alone.
    if not _lease_expired(render.pk):
        assert jobs_sweep_stale().requeued == 0
    assert wait_for(lambda: _lease_expired(render.pk), timeout=30)
    with thread_worker():
        swept = jobs_sweep_stale()
        assert swept.requeued == 1 and swept.sent >= 1
        assert wait_for(
            lambda: OutboxJob.objects.filter(task="certificates.ready_notify", state=State.DONE).exists()
        ), worker.output()

    render.refresh_from_db()
    assert (render.state, render.attempts) == (State.DONE, 2)
    assert Certificate.objects.filter(learner=learner).count() == 1
    certificate.refresh_from_db()
    assert certificate.pdf_state == Certificate.PdfState.READY
    with certificate.pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    # The learner is told once.
    assert OutboxJob.objects.filter(task="certificates.ready_notify").count() == 1
    assert certificate.ready_notified_at is not None
    assert [m.to for m in mail.outbox if certificate.code in m.body] == [[learner.email]]


def test_worker_killed_while_refreshing_rollups(services_at, worker_process):
    world = team_world(villages=2, households=2)
    rollups_rebuild()
    before = rollup_snapshot()
    for v in world["villages"]:
        with transaction.atomic():
            outcome = visit_batch_sync(member=v["member"], device=None, items=visit_items(v["households"]))
        assert outcome.created == 2
    refresh = _job("indicators.rollups_refresh")
    assert refresh.state == State.DISPATCHED

    worker = worker_process(pause_in="rollups")
    worker.wait_inside_job()
    # Inside the job: village rollups rewritten in its transaction, not committed.
    assert rollup_snapshot() == before
    worker.kill()
    # The killed worker's transaction was rolled back by PostgreSQL: nothing half-written.
    assert rollup_snapshot() == before
    refresh.refresh_from_db()
    assert (refresh.state, refresh.attempts) == (State.RUNNING, 1)

    assert wait_for(lambda: _lease_expired(refresh.pk), timeout=30)
    with thread_worker():
        assert jobs_sweep_stale().requeued == 1
        assert wait_for(lambda: _job("indicators.rollups_refresh").state == State.DONE), worker.output()
    refresh.refresh_from_db()
    assert refresh.attempts == 2

    after = rollup_snapshot()
    assert after != before  # the new visits count now
    rollups_rebuild()
    assert rollup_snapshot() == after  # the same figures as a full rebuild: counted once
