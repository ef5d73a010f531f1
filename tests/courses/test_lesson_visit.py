"""The lesson page records where the learner left off, at most every few minutes per
lesson (courses.services.VISIT_RECORD_SECONDS): a reload writes nothing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import Enrolment
from courses.services import VISIT_RECORD_SECONDS, enrolment_create, lesson_complete
from tests.courses.builders import lessons_of

pytestmark = pytest.mark.django_db


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]


@pytest.fixture
def enrolled(client, course, learner):
    enrolment = enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    return enrolment


def test_first_visit_is_recorded_and_a_reload_writes_nothing(client, course, enrolled):
    first, second, _third = lessons_of(course)
    assert _get(client, first.url)
    enrolled.refresh_from_db()
    assert enrolled.last_lesson_id == first.pk and enrolled.last_visited_at is not None
    opened = enrolled.last_visited_at
    assert _get(client, first.url) == []
    enrolled.refresh_from_db()
    assert enrolled.last_visited_at == opened
    # Another lesson is recorded at once, and so is going back to the first.
    assert _get(client, second.url)
    assert _get(client, first.url)
    enrolled.refresh_from_db()
    assert enrolled.last_lesson_id == first.pk


def test_the_same_lesson_is_recorded_again_after_the_interval(client, course, enrolled):
    first = lessons_of(course)[0]
    client.get(first.url)
    earlier = timezone.now() - datetime.timedelta(seconds=VISIT_RECORD_SECONDS + 1)
    Enrolment.objects.filter(pk=enrolled.pk).update(last_visited_at=earlier)
    assert _get(client, first.url)
    enrolled.refresh_from_db()
    assert enrolled.last_visited_at > earlier


def test_time_credited_counts_from_the_first_opening_despite_reloads(client, course, enrolled, learner):
    first = lessons_of(course)[0]
    client.get(first.url)
    Enrolment.objects.filter(pk=enrolled.pk).update(
        last_visited_at=timezone.now() - datetime.timedelta(minutes=4))
    assert _get(client, first.url) == []  # a reload after 4 minutes
    assert 235 <= lesson_complete(learner=learner, lesson=first).seconds_spent <= 245


def test_an_unenrolled_learner_is_not_recorded(client, course, learner):
    client.force_login(learner)
    assert _get(client, lessons_of(course)[0].url) == []
    assert not Enrolment.objects.exists()
