"""“Tiếp tục học” on the home page: most recent unfinished course and its next lesson."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses import services
from courses.continue_learning import continue_learning_for
from courses.models import Enrolment
from tests.courses.builders import course_build, lessons_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_courses(index, learner):
    first = course_build(index=index, title="An toàn trên mạng", slug="an-toan")
    second = course_build(index=index, title="Bán hàng trên mạng", slug="ban-hang", modules=2,
                          lessons_per_module=2)
    services.enrolment_create(learner=learner, course=first)
    services.enrolment_create(learner=learner, course=second)
    return first, second


def test_anonymous_and_nothing_in_progress(client, course, learner):
    from django.contrib.auth.models import AnonymousUser

    assert continue_learning_for(learner=AnonymousUser()) is None
    assert continue_learning_for(learner=learner) is None


def test_most_recent_course_and_its_next_lesson(two_courses, learner, django_assert_num_queries):
    first, second = two_courses
    lessons = lessons_of(first)
    services.lesson_complete(learner=learner, lesson=lessons[0])
    services.lesson_visit(learner=learner, lesson=lessons[1], course_id=first.pk)
    with django_assert_num_queries(1):
        item = continue_learning_for(learner=learner)
    assert item.course.pk == first.pk
    assert (item.lesson_title, item.completed_lessons, item.lesson_total, item.percent) == ("Bài 2", 1, 3, 33)
    assert item.lesson_url.endswith("/an-toan/chuong-1/bai-2/")

    # The second course, used later, comes first; nothing done there: its first lesson.
    services.lesson_visit(learner=learner, lesson=lessons_of(second)[2], course_id=second.pk)
    item = continue_learning_for(learner=learner)
    assert item.course.pk == second.pk and item.lesson_title == "Bài 1" and item.lesson_total == 4


def test_finished_and_unenrolled_courses_are_left_out(two_courses, learner):
    first, second = two_courses
    for lesson in lessons_of(first):
        services.lesson_complete(learner=learner, lesson=lesson)
    assert Enrolment.objects.get(learner=learner, course=first).status == "completed"
    services.enrolment_cancel(learner=learner, course=second)
    assert continue_learning_for(learner=learner) is None


def test_home_page_block(client, two_courses, learner):
    first, _second = two_courses
    Enrolment.objects.filter(course=first).update(last_visited_at=timezone.now())
    assert "Tiếp tục học" not in client.get("/").content.decode()
    client.force_login(learner)
    client.get("/")  # warm the site caches
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    assert len([q for q in queries.captured_queries if "courses_enrolment" in q["sql"]]) == 1
    assert "Tiếp tục học" in html and "An toàn trên mạng" in html and "Bài tiếp theo: Bài 1" in html
    assert 'href="/khoa-hoc/an-toan/chuong-1/bai-1/"' in html
