"""The demo question bank and the demo courses' quizzes: loaded idempotently, through the
quiz services, and every question graded right with its own key."""

from decimal import Decimal

import pytest

from assessments.demo import demo_frameworks_load
from assessments.quizzes.demo import ROOT_CATEGORY, demo_bank_files, demo_quizzes_create
from assessments.quizzes.models import Attempt, MatchPair, Question, QuestionCategory, Quiz
from assessments.quizzes.services import attempt_start, attempt_submit, quiz_create, responses_save
from courses.demo import FINAL_TESTS, LESSON_QUIZZES, demo_course_quizzes_attach, demo_courses_create
from courses.models import CoursePage, LessonPage
from lms.core.text import fold
from tests.content.builders import home_build
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
T = Question.Type


def correct_answers(attempt: Attempt) -> dict[int, dict]:
    """The fully right answer to every question on the attempt's paper, from the key."""
    ids = [item["question"] for item in attempt.layout]
    questions = Question.objects.prefetch_related(
        "choices", "pairs", "numeric_answers", "text_answers"
    ).in_bulk(ids)
    answers = {}
    for item in attempt.layout:
        q = questions[item["question"]]
        choices = list(q.choices.order_by("ordering", "id"))
        if q.type in (T.SINGLE_CHOICE, T.TRUE_FALSE):
            answers[q.pk] = {"choice": next(c.pk for c in choices if c.is_correct)}
        elif q.type == T.MULTIPLE_CHOICE:
            answers[q.pk] = {"choices": [c.pk for c in choices if c.is_correct]}
        elif q.type == T.ORDERING:
            answers[q.pk] = {"order": [c.pk for c in choices]}
        elif q.type == T.MATCHING:
            pairs = {p.pk: p for p in MatchPair.objects.filter(question=q)}
            offered = [pairs[pk].answer for pk in item["answers"]]
            answers[q.pk] = {"pairs": {str(pk): offered.index(pairs[pk].answer) for pk in item["prompts"]}}
        elif q.type == T.NUMERIC:
            answers[q.pk] = {"value": str(next(n.value for n in q.numeric_answers.all() if n.fraction == 1))}
        elif q.type == T.SHORT_TEXT:
            answers[q.pk] = {"text": next(t.text for t in q.text_answers.all() if t.fraction == 1)}
    return answers


@pytest.fixture
def bank(db):
    demo_frameworks_load()
    return demo_quizzes_create()


def test_bank_loads_sixty_plus_tagged_questions_of_every_type_once(bank):
    assert bank["competences_missing"] == []
    total = sum(len(data["questions"]) for data in demo_bank_files())
    assert total >= 60 and bank["questions_created"] == total
    assert bank["categories_created"] == 6  # the root and the five skills
    root = QuestionCategory.objects.get(name=ROOT_CATEGORY, parent=None)
    assert {c.name for c in root.children.all()} == {
        "Dịch vụ công trực tuyến",
        "Mua bán trực tuyến",
        "Thanh toán không dùng tiền mặt",
        "An toàn trên mạng",
        "Nền tảng số địa phương",
    }
    questions = Question.objects.prefetch_related("competences__framework")
    assert {q.type for q in questions} == set(T.values)
    for q in questions:
        assert 1 <= q.level <= 4, q.text
        assert q.feedback and q.explanation, q.text
        codes = [c.qualified_code for c in q.competences.all()]
        assert codes and all(code.startswith("digcomp-2.2:") for code in codes), q.text
    # Every category has each kind of question a final test draws on.
    for category in root.children.all():
        assert category.questions.count() >= 12
        assert category.questions.values("type").distinct().count() >= 6

    again = demo_quizzes_create()
    assert again["questions_created"] == 0 and again["categories_created"] == 0
    assert again["questions_existing"] == total
    assert Question.objects.count() == total and QuestionCategory.objects.count() == 6


def test_every_demo_question_scores_full_marks_with_its_own_key(bank):
    """One quiz of the whole bank: the key's answers score 100 %, wrong ones do not."""
    learner = UserFactory()
    quiz = quiz_create(
        title="Toàn bộ ngân hàng mẫu", questions=list(Question.objects.all()), pass_mark_percent=70
    )
    attempt = attempt_start(quiz=quiz, learner=learner)
    responses_save(attempt=attempt, learner=learner, answers=correct_answers(attempt))
    graded = attempt_submit(attempt=attempt, learner=learner)
    assert graded.max_score == Question.objects.count()
    assert graded.percent == Decimal("100.00") and graded.passed
    assert not graded.responses.filter(correct=False).exists()


def test_short_text_variants_and_numbers_are_accepted_without_accents(bank):
    learner = UserFactory()
    code = Question.objects.get(text__startswith="Nộp hồ sơ xong, hệ thống cấp")
    domain = Question.objects.get(text__startswith="Trang thông tin điện tử của cơ quan nhà nước")
    quiz = quiz_create(title="Biến thể", questions=[code, domain])
    attempt = attempt_start(quiz=quiz, learner=learner)
    responses_save(
        attempt=attempt,
        learner=learner,
        answers={code.pk: {"text": "ma ho so"}, domain.pk: {"text": "gov.vn"}},
    )
    assert attempt_submit(attempt=attempt, learner=learner).percent == Decimal("100.00")


def test_demo_bank_text_has_its_diacritics():
    """Vietnamese written without accents would fold to itself: catch a file typed in ASCII."""
    for data in demo_bank_files():
        for spec in data["questions"]:
            assert fold(spec["text"]) != spec["text"].lower(), spec["text"]


def test_final_tests_and_lesson_quizzes_attach_idempotently(bank, client):
    home_build()
    demo_courses_create()
    counts = demo_course_quizzes_attach()
    assert counts["courses_missing"] == 0
    assert counts["final_tests_created"] == counts["final_tests_attached"] == len(FINAL_TESTS) == 8
    assert counts["lesson_quizzes_placed"] == len(LESSON_QUIZZES) >= 2
    for course in CoursePage.objects.all():
        quiz = course.final_quiz
        assert quiz is not None, course.slug
        assert (
            70 <= quiz.pass_mark_percent <= 80 and quiz.max_attempts == 3 and quiz.time_limit_seconds is None
        )
        assert quiz.draw_rules.exists() and course.get_latest_revision().content["final_quiz"] == quiz.pk
    for slug in LESSON_QUIZZES:
        last = LessonPage.objects.descendant_of(CoursePage.objects.get(slug=slug)).order_by("-path").first()
        blocks = [b for b in last.body if b.block_type == "quiz"]
        assert len(blocks) == 1
        html = client.get(last.url).content.decode()
        assert Quiz.objects.get(pk=blocks[0].value["quiz_id"]).title in html and "3" in html

    again = demo_course_quizzes_attach()
    assert again["final_tests_created"] == again["final_tests_attached"] == 0
    assert again["lesson_quizzes_created"] == again["lesson_quizzes_placed"] == 0
    assert Quiz.objects.count() == len(FINAL_TESTS) + len(LESSON_QUIZZES)


def test_every_final_test_can_be_drawn_and_passed(bank, client):
    home_build()
    demo_courses_create()
    demo_course_quizzes_attach()
    learner = UserFactory()
    for course in CoursePage.objects.select_related("final_quiz"):
        attempt = attempt_start(quiz=course.final_quiz, learner=learner)
        assert len(attempt.layout) == 10
        responses_save(attempt=attempt, learner=learner, answers=correct_answers(attempt))
        assert attempt_submit(attempt=attempt, learner=learner).passed
