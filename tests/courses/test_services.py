"""Enrolment, visits, lesson completion and the course completion rule."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.completion import completion_rule_register, completion_rule_unregister
from courses.models import CourseCompletion, CoursePage, Enrolment, LessonProgress
from courses.services import enrolment_cancel, enrolment_create, lesson_complete, lesson_visit
from lms.jobs.models import OutboxJob
from tests.courses.builders import course_build, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_enrol_writes_the_enrolment_and_the_welcome_job(course, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrolment_create(learner=learner, course=course)
    assert enrolment.status == Enrolment.Status.ACTIVE
    job = OutboxJob.objects.get(task="courses.enrolment_welcome_send")
    assert job.kwargs == {"enrolment_id": enrolment.pk}
    # Eager in tests: the job ran on commit and sent a Vietnamese e-mail, once.
    job.refresh_from_db()
    assert job.state == OutboxJob.State.DONE
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anh@example.test"]
    assert "Chào mừng bạn đến với khoá học “Dùng VNeID an toàn”" in mail.outbox[0].subject
    assert "Nguyễn Thị Ánh" in mail.outbox[0].body
    enrolment.refresh_from_db()
    assert enrolment.welcome_sent_at is not None


def test_welcome_job_without_email_sends_nothing(course, django_capture_on_commit_callbacks):
    learner = UserFactory(email="", phone="+84912000111")
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_create(learner=learner, course=course)
    assert OutboxJob.objects.get().state == OutboxJob.State.DONE
    assert mail.outbox == []


def test_second_enrolment_is_refused(course, learner):
    enrolment_create(learner=learner, course=course)
    with pytest.raises(ValidationError) as exc:
        enrolment_create(learner=learner, course=course)
    assert exc.value.code == "duplicate"
    assert "đã đăng ký" in exc.value.messages[0]
    assert Enrolment.objects.count() == 1
    assert OutboxJob.objects.count() == 1


def test_unique_constraint_backs_the_duplicate_rule(course, learner):
    Enrolment.objects.create(learner=learner, course=course)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(learner=learner, course=course, status=Enrolment.Status.COMPLETED)
    # History rows do not count.
    Enrolment.objects.create(learner=learner, course=course, status=Enrolment.Status.UNENROLLED)


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"enrolment_closes_on": datetime.date(2025, 1, 31)}, "hết hạn đăng ký"),
        ({"enrolment_opens_on": datetime.date(2099, 1, 1)}, "mở đăng ký từ ngày"),
        (
            {
                "pacing": "cohort",
                "starts_on": datetime.date(2024, 1, 1),
                "ends_on": datetime.date(2024, 2, 1),
            },
            "đã kết thúc",
        ),
    ],
)
def test_closed_window_is_refused(index, learner, fields, message):
    course = course_build(index=index, slug="dot-hoc", **fields)
    with pytest.raises(ValidationError) as exc:
        enrolment_create(learner=learner, course=course)
    assert message in exc.value.messages[0]
    assert not Enrolment.objects.exists()
    assert not OutboxJob.objects.exists()


def test_window_open_today_is_accepted(index, learner):
    today = timezone.localdate()
    course = course_build(index=index, slug="dot-mo", enrolment_opens_on=today, enrolment_closes_on=today)
    assert enrolment_create(learner=learner, course=course, today=today).pk


def test_unpublished_course_is_refused(course, learner):
    course.unpublish()
    course = CoursePage.objects.get(pk=course.pk)
    with pytest.raises(ValidationError, match="chưa mở"):
        enrolment_create(learner=learner, course=course)


def test_unenrol_then_enrol_again_keeps_progress(course, learner):
    enrolment_create(learner=learner, course=course)
    first = lessons_of(course)[0]
    lesson_complete(learner=learner, lesson=first)
    cancelled = enrolment_cancel(learner=learner, course=course)
    assert cancelled.status == Enrolment.Status.UNENROLLED and cancelled.ended_at
    with pytest.raises(ValidationError, match="chưa đăng ký"):
        enrolment_cancel(learner=learner, course=course)
    again = enrolment_create(learner=learner, course=course)
    assert again.pk != cancelled.pk
    assert LessonProgress.objects.filter(learner=learner, lesson=first, completed_at__isnull=False).exists()


def test_lesson_complete_needs_an_enrolment(course, learner):
    with pytest.raises(ValidationError) as exc:
        lesson_complete(learner=learner, lesson=lessons_of(course)[0])
    assert exc.value.code == "not_enrolled"
    assert not LessonProgress.objects.exists()


def test_lesson_complete_is_idempotent(course, learner):
    enrolment_create(learner=learner, course=course)
    lesson = lessons_of(course)[0]
    first = lesson_complete(learner=learner, lesson=lesson, seconds=120)
    again = lesson_complete(learner=learner, lesson=lesson, seconds=500)
    assert again.pk == first.pk
    assert again.completed_at == first.completed_at
    assert again.seconds_spent == 120  # a retry credits nothing more
    assert LessonProgress.objects.count() == 1


def test_time_spent_is_counted_from_the_visit_and_capped(course, learner):
    enrolment_create(learner=learner, course=course)
    lesson = lessons_of(course)[0]
    lesson_visit(learner=learner, lesson=lesson, course_id=course.pk)
    Enrolment.objects.update(last_visited_at=timezone.now() - datetime.timedelta(minutes=4))
    assert 235 <= lesson_complete(learner=learner, lesson=lesson).seconds_spent <= 245
    second = lessons_of(course)[1]
    lesson_visit(learner=learner, lesson=second, course_id=course.pk)
    Enrolment.objects.update(last_visited_at=timezone.now() - datetime.timedelta(hours=10))
    # A 5-minute lesson left open for 10 hours counts 30 minutes at most.
    assert lesson_complete(learner=learner, lesson=second).seconds_spent == 30 * 60


def test_course_completes_when_every_required_lesson_is_done(index, learner):
    course = course_build(index=index, slug="ba-bai", optional={2})
    enrolment = enrolment_create(learner=learner, course=course)
    lessons = lessons_of(course)
    lesson_complete(learner=learner, lesson=lessons[0])
    assert not CourseCompletion.objects.exists()
    lesson_complete(learner=learner, lesson=lessons[1])  # lesson 3 is optional
    completion = CourseCompletion.objects.get(learner=learner, course=course)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.completed_at == completion.completed_at
    lesson_complete(learner=learner, lesson=lessons[2])
    assert CourseCompletion.objects.count() == 1


def test_removed_or_added_lessons_never_break_a_completion(course, learner):
    enrolment_create(learner=learner, course=course)
    lessons = lessons_of(course)
    for lesson in lessons:
        lesson_complete(learner=learner, lesson=lesson)
    assert CourseCompletion.objects.filter(learner=learner).count() == 1
    lessons[0].delete()
    from courses.models import LessonPage
    from tests.content.builders import page_publish

    page_publish(parent=lessons[1].get_parent(), page=LessonPage(title="Bài mới", slug="bai-moi"))
    assert CourseCompletion.objects.filter(learner=learner, course=course).exists()
    assert Enrolment.objects.get(learner=learner).status == Enrolment.Status.COMPLETED


def test_lock_in_order(index, learner):
    course = course_build(index=index, slug="lan-luot", lock_lessons_in_order=True, optional={1})
    enrolment_create(learner=learner, course=course)
    first, optional, third = lessons_of(course)
    with pytest.raises(ValidationError) as exc:
        lesson_complete(learner=learner, lesson=third)
    assert exc.value.code == "locked"
    lesson_complete(learner=learner, lesson=first)
    # The optional lesson in between does not hold the third one back.
    lesson_complete(learner=learner, lesson=third)
    assert CourseCompletion.objects.filter(learner=learner).exists()


def test_registered_completion_rule_must_hold(course, learner):
    passed = {"value": False}

    def final_test_passed(*, learner_id: int, course_id: int) -> bool:
        return passed["value"]

    completion_rule_register(final_test_passed)
    try:
        enrolment_create(learner=learner, course=course)
        for lesson in lessons_of(course):
            lesson_complete(learner=learner, lesson=lesson)
        assert not CourseCompletion.objects.exists()
        passed["value"] = True
        from courses.services import course_completion_evaluate

        assert course_completion_evaluate(learner=learner, course_id=course.pk) is not None
    finally:
        completion_rule_unregister(final_test_passed)


def test_visit_records_where_the_learner_left_off(course, learner):
    lesson = lessons_of(course)[1]
    assert lesson_visit(learner=learner, lesson=lesson, course_id=course.pk) is False
    enrolment_create(learner=learner, course=course)
    assert lesson_visit(learner=learner, lesson=lesson, course_id=course.pk) is True
    assert Enrolment.objects.get().last_lesson_id == lesson.pk
