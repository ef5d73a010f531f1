"""The quiz block in lessons: the editor's list of quizzes, the learner's state, the
query budget, and the batched state selector against the quiz engine's own grade."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments.quizzes.models import Question, Quiz
from assessments.quizzes.selectors import quiz_grade_for_learner
from assessments.quizzes.services import (
    attempt_start,
    attempt_submit,
    category_create,
    question_create,
    quiz_create,
    responses_save,
)
from courses.blocks import QuizBlock
from courses.models import LessonPage
from courses.selectors import quiz_states_for_learner
from courses.services import enrolment_create
from tests.content.builders import page_publish
from tests.courses.builders import course_build, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MAX_QUERIES = 8


def make_quiz(title: str = "Kiểm tra nhanh: mật khẩu", **options) -> Quiz:
    category = category_create(name=f"Nhóm {title}")
    questions = [
        question_create(
            category=category,
            type=Question.Type.TRUE_FALSE,
            text=f"Câu {n}: nên dùng mật khẩu riêng cho từng tài khoản.",
            correct=True,
        )
        for n in range(1, 4)
    ]
    options.setdefault("pass_mark_percent", Decimal("60"))
    return quiz_create(title=title, questions=questions, **options)


def take(quiz: Quiz, learner, right: int) -> None:
    """One graded attempt with `right` questions answered right, the others wrong."""
    attempt = attempt_start(quiz=quiz, learner=learner)
    answers = {}
    for n, item in enumerate(attempt.layout):
        question = Question.objects.get(pk=item["question"])
        want = n < right
        answers[question.pk] = {"choice": question.choices.get(is_correct=want).pk}
    responses_save(attempt=attempt, learner=learner, answers=answers)
    attempt_submit(attempt=attempt, learner=learner)


def lesson_with_quizzes(course, *quizzes: Quiz) -> LessonPage:
    lesson = lessons_of(course)[-1]
    lesson.body = [
        {"type": "paragraph", "value": "<p>Ôn lại bài.</p>"},
        *({"type": "quiz", "value": {"quiz_id": quiz.pk, "title": ""}} for quiz in quizzes),
    ]
    lesson.save_revision().publish()
    return LessonPage.objects.get(pk=lesson.pk)


@pytest.fixture
def quiz(db):
    return make_quiz(max_attempts=2)


@pytest.fixture
def lesson(course, quiz):
    return lesson_with_quizzes(course, quiz)


def test_editor_chooses_an_existing_quiz_and_an_unknown_id_is_refused(quiz):
    block = QuizBlock()
    assert block.clean(block.to_python({"quiz_id": quiz.pk, "title": ""}))["quiz_id"] == quiz.pk
    with pytest.raises(ValidationError) as caught:
        block.clean(block.to_python({"quiz_id": quiz.pk + 1000, "title": ""}))
    assert "Bài kiểm tra này không tồn tại" in str(caught.value.block_errors["quiz_id"])
    html = block.child_blocks["quiz_id"].field.widget.render("q", quiz.pk)
    assert f"Kiểm tra nhanh: mật khẩu (#{quiz.pk})" in html and "selected" in html


def test_anonymous_sees_the_facts_and_a_way_to_sign_in(client, lesson, quiz):
    html = client.get(lesson.url).content.decode()
    assert "Kiểm tra nhanh: mật khẩu" in html
    assert "Số câu hỏi</dt><dd>3" in html and "60%" in html and "Tối đa 2 lần" in html
    assert "Đăng nhập để làm bài" in html and reverse("quizzes:start", args=[quiz.pk]) not in html


def test_enrolled_learner_sees_attempts_and_take_then_continue(client, course, lesson, quiz, learner):
    enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    html = client.get(lesson.url).content.decode()
    assert "Đã làm 0/2 lần, còn 2 lần" in html
    assert f'href="{reverse("quizzes:start", args=[quiz.pk])}">Làm bài' in html
    attempt = attempt_start(quiz=quiz, learner=learner)
    html = client.get(lesson.url).content.decode()
    assert f'href="{reverse("quizzes:attempt", args=[attempt.pk])}">Làm tiếp' in html


def test_failed_then_passed_learner_sees_grade_and_result(client, course, lesson, quiz, learner):
    enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    take(quiz, learner, right=1)
    html = client.get(lesson.url).content.decode()
    assert "33.33% — Chưa đạt" in html or "33,33% — Chưa đạt" in html
    assert "Làm bài" in html and "Xem kết quả lần trước" in html
    take(quiz, learner, right=3)
    html = client.get(lesson.url).content.decode()
    last = quiz.attempts.get(number=2)
    assert "100% — " in html and "✓ Đạt" in html and "Đã làm 2/2 lần, còn 0 lần" in html
    assert f'href="{reverse("quizzes:review", args=[last.pk])}">Xem kết quả' in html


def test_signed_in_but_not_enrolled_may_still_practise(client, lesson, quiz):
    client.force_login(UserFactory())
    html = client.get(lesson.url).content.decode()
    assert "Bạn chưa đăng ký khoá học" in html and reverse("quizzes:start", args=[quiz.pk]) in html


@pytest.mark.parametrize("lessons_per_module", [1, 20])
def test_lesson_with_quiz_blocks_stays_within_the_budget(
    client, index, learner, lessons_per_module, django_assert_max_num_queries
):
    course = course_build(
        index=index, slug=f"khoa-{lessons_per_module}", modules=3, lessons_per_module=lessons_per_module
    )
    quizzes = [make_quiz(f"Bài {n}", max_attempts=3) for n in range(3)]
    lesson = lesson_with_quizzes(course, *quizzes)
    enrolment_create(learner=learner, course=course)
    take(quizzes[0], learner, right=3)
    attempt_start(quiz=quizzes[1], learner=learner)
    client.force_login(learner)
    assert client.get(lesson.url).status_code == 200  # fills the caches
    with django_assert_max_num_queries(MAX_QUERIES):
        html = client.get(lesson.url).content.decode()
    assert html.count('class="quiz-slot"') == 3 and "Làm tiếp" in html and "✓ Đạt" in html
    # A submission shows at once (the learner's cached attempts are forgotten).
    take(quizzes[2], learner, right=0)
    assert "0% — Chưa đạt" in client.get(lesson.url).content.decode()
    client.logout()
    assert client.get(lesson.url).status_code == 200
    with django_assert_max_num_queries(MAX_QUERIES - 1):
        assert client.get(lesson.url).status_code == 200


def test_an_edited_quiz_shows_its_new_settings(client, lesson, quiz):
    client.get(lesson.url)
    quiz.title = "Kiểm tra nhanh: mật khẩu mạnh"
    quiz.pass_mark_percent = Decimal("80")
    quiz.save()
    html = client.get(lesson.url).content.decode()
    assert "Kiểm tra nhanh: mật khẩu mạnh" in html and "80%" in html


@pytest.mark.parametrize("method", list(Quiz.GradeMethod.values))
def test_batched_states_agree_with_the_quiz_engine(quiz, learner, method):
    quiz.grade_method = method
    quiz.max_attempts = None
    quiz.save()
    other = make_quiz("Bài khác")
    for right in (2, 3, 1):
        take(quiz, learner, right=right)
    states = quiz_states_for_learner(quiz_ids=[quiz.pk, other.pk, 999999], learner=learner)
    assert set(states) == {quiz.pk, other.pk}
    grade = quiz_grade_for_learner(quiz=quiz, learner=learner)
    state = states[quiz.pk]
    assert (state.grade_percent, state.passed) == (grade.percent, grade.passed)
    assert state.attempts_used == 3 and state.attempts_left is None
    # Passed (highest, average): review; failed on the last attempt: try again.
    assert state.passed == (method != Quiz.GradeMethod.LAST)
    assert state.action == ("review" if state.passed else "start")
    assert states[other.pk].attempts_used == 0 and states[other.pk].action == "start"


def test_block_renders_outside_a_lesson_page(quiz, rf, learner):
    request = rf.get("/")
    request.user = learner
    block = QuizBlock()
    html = block.render(
        block.to_python({"quiz_id": quiz.pk, "title": "Ôn tập"}),
        context={"request": request, "user": learner},
    )
    assert "Ôn tập" in html and "Số câu hỏi" in html


def test_quiz_block_keeps_the_quiz_id_through_publishing(index):
    # A quiz block survives the editor's publish cycle with its id as an integer.
    course = course_build(index=index, slug="khoa-xuat-ban", lessons_per_module=1)
    quiz = make_quiz("Xuất bản")
    module = course.get_children().first().specific
    lesson = page_publish(
        parent=module,
        page=LessonPage(
            title="Bài có kiểm tra",
            slug="bai-co-kiem-tra",
            body=[{"type": "quiz", "value": {"quiz_id": quiz.pk, "title": ""}}],
        ),
    )
    assert LessonPage.objects.get(pk=lesson.pk).body[0].value["quiz_id"] == quiz.pk


def test_wagtail_editor_offers_the_quizzes_by_title(client, lesson, quiz):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    # The block definitions are JSON in the page: the quiz is an option of the list.
    assert f"(#{quiz.pk})&lt;/option&gt;" in html and "w-field--typed_choice_field" in html
