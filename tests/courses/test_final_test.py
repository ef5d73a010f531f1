"""A course's final test: no completion until the final quiz is passed, through the real
quiz services; the course page shows it and makes up for a missed re-check."""

import pytest
from django.urls import reverse

from courses.final_test import final_test_attempt_graded, final_test_passed
from courses.models import CourseCompletion, Enrolment
from courses.services import enrolment_create, lesson_complete
from tests.courses.builders import course_build, lessons_of
from tests.courses.test_quiz_block import make_quiz, take

pytestmark = pytest.mark.django_db
MAX_QUERIES = 8


@pytest.fixture
def final_quiz(db):
    return make_quiz("Bài kiểm tra cuối khoá: VNeID", max_attempts=3, pass_mark_percent=70)


@pytest.fixture
def course(index, final_quiz):
    course = course_build(index=index, modules=1, lessons_per_module=2)
    course.final_quiz = final_quiz
    course.save_revision().publish()
    return course


def finish_lessons(course, learner):
    for lesson in lessons_of(course):
        lesson_complete(learner=learner, lesson=lesson)


def completed(course, learner) -> bool:
    done = CourseCompletion.objects.filter(learner=learner, course=course).exists()
    status = Enrolment.objects.get(learner=learner, course=course).status
    assert done == (status == Enrolment.Status.COMPLETED)
    return done


def test_lessons_alone_do_not_complete_a_course_with_a_final_test(course, learner):
    enrolment_create(learner=learner, course=course)
    finish_lessons(course, learner)
    assert not completed(course, learner)
    assert final_test_passed(learner_id=learner.pk, course_id=course.pk) is False


def test_a_passing_submission_completes_the_course(
    course, final_quiz, learner, django_capture_on_commit_callbacks
):
    enrolment_create(learner=learner, course=course)
    finish_lessons(course, learner)
    with django_capture_on_commit_callbacks(execute=True):
        take(final_quiz, learner, right=1)  # 33 %: below the 70 % pass mark
    assert not completed(course, learner)
    with django_capture_on_commit_callbacks(execute=True):
        take(final_quiz, learner, right=3)
    assert completed(course, learner)


def test_failing_every_attempt_never_completes(
    course, final_quiz, learner, django_capture_on_commit_callbacks
):
    enrolment_create(learner=learner, course=course)
    finish_lessons(course, learner)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            take(final_quiz, learner, right=2)  # 66.67 % < 70 %
    assert not completed(course, learner)
    assert final_test_attempt_graded(attempt_id=final_quiz.attempts.last().pk) == []


def test_passing_first_then_finishing_the_lessons_completes(
    course, final_quiz, learner, django_capture_on_commit_callbacks
):
    enrolment_create(learner=learner, course=course)
    with django_capture_on_commit_callbacks(execute=True):
        take(final_quiz, learner, right=3)
    assert not completed(course, learner)  # lessons still to do
    finish_lessons(course, learner)
    assert completed(course, learner)


def test_passing_without_enrolment_completes_nothing(
    course, final_quiz, learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        take(final_quiz, learner, right=3)
    assert not CourseCompletion.objects.exists()


def test_course_page_shows_the_final_test_and_catches_up_a_missed_check(client, course, final_quiz, learner):
    enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    html = client.get(course.url).content.decode()
    assert "Bài kiểm tra cuối khoá" in html and "đạt từ 70% trở lên" in html
    assert f'href="{reverse("quizzes:start", args=[final_quiz.pk])}">Làm bài' in html
    finish_lessons(course, learner)
    html = client.get(course.url).content.decode()
    assert "Hãy làm bài kiểm tra cuối khoá để hoàn thành khoá học" in html
    take(final_quiz, learner, right=3)  # the after-commit check never runs in this test
    assert not completed(course, learner)
    html = client.get(course.url).content.decode()
    assert completed(course, learner)
    assert "Bạn đã hoàn thành khoá học này." in html and "✓ Đạt" in html and "Xem kết quả" in html


def test_anonymous_sees_the_final_test_facts(client, course):
    html = client.get(course.url).content.decode()
    assert "Bài kiểm tra cuối khoá: VNeID" in html and "Đăng nhập để làm bài" in html


def test_course_page_with_a_final_test_stays_within_the_budget(
    client, course, final_quiz, learner, django_assert_max_num_queries
):
    enrolment_create(learner=learner, course=course)
    take(final_quiz, learner, right=1)
    client.force_login(learner)
    assert client.get(course.url).status_code == 200
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(course.url).status_code == 200


def test_one_grade_rule_for_the_quiz_engine_and_the_course_pages():
    # courses.selectors.grade_from_attempts is the quiz engine's rule, not a copy of it.
    from decimal import Decimal

    from assessments.quizzes.grading import grade_over_attempts
    from assessments.quizzes.models import Quiz
    from courses.selectors import grade_from_attempts

    percents = [Decimal("40"), Decimal("90"), Decimal("55.55")]
    for method in Quiz.GradeMethod.values:
        assert grade_from_attempts(grade_method=method, percents=percents) == grade_over_attempts(
            method=method, percents=percents
        )
    assert grade_from_attempts(grade_method="average", percents=percents) == Decimal("61.85")


def test_the_final_test_listens_to_attempt_graded_not_to_post_save(
    course, final_quiz, learner, django_capture_on_commit_callbacks
):
    from assessments.quizzes.models import Attempt
    from assessments.quizzes.signals import attempt_graded_send

    enrolment_create(learner=learner, course=course)
    finish_lessons(course, learner)
    with django_capture_on_commit_callbacks(execute=False):
        take(final_quiz, learner, right=3)  # graded and passed, but nothing announced yet
    assert not completed(course, learner)
    attempt = Attempt.objects.get(quiz=final_quiz, learner=learner)
    with django_capture_on_commit_callbacks(execute=True):
        attempt.save(update_fields=["passed"])  # a save is not a grading
    assert not completed(course, learner)
    attempt_graded_send(attempt=attempt)
    assert completed(course, learner)
