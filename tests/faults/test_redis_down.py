"""With Redis stopped, the site keeps working and nothing is lost.

Django's cache and Celery's broker point at a throwaway Redis, which the test really stops
(the database stays the normal test database). Pages render (home, catalogue, a lesson as
a learner), lesson progress is saved, a visit batch syncs; the jobs these writes enqueue
wait in the outbox. When Redis is back, the dispatcher (beat's dispatch_pending) sends them
and a real worker runs them.
"""

import json

import pytest
from django.test import Client

from community_teams.indicators.models import Rollup
from community_teams.models import SupportVisit
from courses.certificates.models import Certificate
from courses.models import CourseCompletion, LessonProgress
from courses.services import enrolment_create
from lms.jobs.models import OutboxJob
from lms.jobs.tasks import dispatch_pending
from tests.courses.builders import course_build, index_build, lessons_of
from tests.factories import UserFactory

from .conftest import thread_worker, wait_for
from .data import team_world, visit_items
from .services import port_open

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
State = OutboxJob.State


def test_with_redis_stopped_pages_render_writes_are_kept_and_jobs_wait(services_at):
    redis = services_at
    index = index_build()
    course = course_build(index=index, lessons_per_module=2, slug="khi-redis-dung")
    lessons = lessons_of(course)
    learner = UserFactory(username="hoc-vien-redis", full_name="Phạm Thị Lan")
    enrolment_create(learner=learner, course=course)
    world = team_world(villages=1, households=2)
    team = world["villages"][0]
    first_new_job = (OutboxJob.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

    redis.stop()
    assert not port_open(redis.port)

    client = Client()
    client.force_login(learner)  # the session is written to the database (cached_db)
    for url in ("/", index.url, lessons[0].url):
        response = client.get(url)
        assert response.status_code == 200, url
    assert lessons[0].title in client.get(lessons[0].url).content.decode()

    # Lesson progress: both lessons done, the course completed, the certificate issued.
    for lesson in lessons:
        response = client.post(f"/hoc-tap/bai-hoc/{lesson.pk}/hoan-thanh/")
        assert response.status_code == 302, response.content
    assert LessonProgress.objects.filter(learner=learner, completed_at__isnull=False).count() == 2
    assert CourseCompletion.objects.filter(learner=learner, course=course).exists()
    certificate = Certificate.objects.get(learner=learner, course=course)
    assert certificate.pdf_state == Certificate.PdfState.PENDING

    # A visit batch from a phone.
    phone = Client()
    response = phone.post(
        "/api/v1/visits/sync",
        json.dumps({"visits": visit_items(team["households"])}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {team['token']}",
    )
    assert response.status_code == 200, response.content
    assert [r["status"] for r in response.json()["results"]] == ["created", "created"]
    assert SupportVisit.objects.filter(village=team["village"]).count() == 2

    # The jobs these writes enqueued wait in the outbox; the dispatcher gives up quietly.
    waiting = OutboxJob.objects.filter(id__gte=first_new_job)
    tasks = set(waiting.values_list("task", flat=True))
    assert {"certificates.render_pdf", "indicators.rollups_refresh"} <= tasks
    assert set(waiting.values_list("state", flat=True)) == {State.PENDING}
    assert dispatch_pending() == 0
    # The readiness probe says what is down, and keeps the instance in the balancer
    # (200, "degraded"): it still serves, as above. The strict probe (alerts) fails.
    response = client.get("/readyz")
    ready = response.json()
    assert response.status_code == 200 and ready["status"] == "degraded", ready
    assert ready["checks"]["cache"]["status"] == "error" and ready["checks"]["broker"]["status"] == "error"
    assert ready["checks"]["database"]["status"] == "ok"
    assert client.get("/readyz?strict=1").status_code == 503

    # Redis is back: the dispatcher sends every waiting job and a real worker runs them.
    redis.start()
    with thread_worker():
        assert dispatch_pending() >= len(tasks)
        assert wait_for(lambda: not waiting.exclude(state=State.DONE).exists(), timeout=60), list(
            waiting.values_list("task", "state", "last_error")
        )
        notified = OutboxJob.objects.filter(task="certificates.ready_notify", state=State.DONE)
        assert wait_for(notified.exists)
    certificate.refresh_from_db()
    assert certificate.pdf_state == Certificate.PdfState.READY
    assert Rollup.objects.filter(unit=team["village"]).exists()
    assert waiting.filter(attempts__gt=1).count() == 0  # each ran once
    assert client.get(lessons[0].url).status_code == 200
