"""Quiz → competence evidence (issue 4): a graded attempt records "quiz" evidence for each
competence whose questions earned ≥ 80 % of their points, at the highest question level."""

import pytest

from assessments.loading import frameworks_load
from assessments.models import Competence, Evidence
from assessments.quizzes.evidence import quiz_evidence_record
from assessments.quizzes.models import Question
from assessments.quizzes.services import (
    attempt_start,
    attempt_submit,
    category_create,
    question_create,
    quiz_create,
    responses_save,
)
from assessments.quizzes.signals import attempt_graded_send
from assessments.selectors import RULE_VERIFIED, competence_levels
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
T = Question.Type
A = "digcomp-2.2:4.2"
B = "digcomp-2.2:1.1"


def competence(code):
    framework, _, short = code.partition(":")
    return Competence.objects.get(framework__code=framework, code=short)


@pytest.fixture
def quiz():
    frameworks_load()
    category = category_create(name="An toàn trên mạng")

    def tf(text, level, code):
        return question_create(
            category=category, type=T.TRUE_FALSE, text=text, correct=True, level=level,
            competences=[competence(code)],
        )

    questions = [
        tf("Không chia sẻ OTP.", 2, A),
        tf("Kiểm tra đường link trước khi bấm.", 4, A),
        tf("Dùng trình duyệt để tìm thông tin.", 3, B),
        tf("Lọc kết quả tìm kiếm theo ngày.", 5, B),
        question_create(category=category, type=T.TRUE_FALSE, text="Không gắn năng lực.", correct=True),
    ]
    return quiz_create(title="Kiểm tra an toàn số", questions=questions)


def answer(attempt, wrong=()):
    answers = {}
    for item in attempt.layout:
        question = Question.objects.get(pk=item["question"])
        is_correct = question.text not in wrong
        answers[question.pk] = {"choice": question.choices.get(is_correct=is_correct).pk}
    responses_save(attempt=attempt, learner=attempt.learner, answers=answers)


def test_grading_records_quiz_evidence_after_commit(quiz, django_capture_on_commit_callbacks):
    learner = UserFactory()
    attempt = attempt_start(quiz=quiz, learner=learner)
    answer(attempt, wrong={"Lọc kết quả tìm kiếm theo ngày."})
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_submit(attempt=attempt, learner=learner)

    rows = list(Evidence.objects.filter(person=learner))
    # A: 2/2 points → level 4 (highest of 2 and 4); B: 1/2 points (50 %) → nothing.
    assert [(r.competence_id, r.level, r.method) for r in rows] == [(competence(A).pk, 4, "quiz")]
    row = rows[0]
    assert row.competence == competence(A)
    assert (row.source_type, row.source_id) == ("quizzes.attempt", str(attempt.pk))
    assert row.source_label == "Kiểm tra an toàn số — lần 1"

    derived = competence_levels(person=learner, competences=[competence(A)])[competence(A).pk]
    assert derived.level == 4
    assert derived.rule == RULE_VERIFIED
    assert [r.method for r in derived.decisive] == [Evidence.Method.QUIZ]
    assert "bài kiểm tra" in derived.explanation
    assert competence(B).pk not in competence_levels(person=learner)


def test_redelivered_signal_writes_nothing_twice(quiz, django_capture_on_commit_callbacks):
    learner = UserFactory()
    attempt = attempt_start(quiz=quiz, learner=learner)
    answer(attempt)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_submit(attempt=attempt, learner=learner)
    assert Evidence.objects.filter(person=learner).count() == 2  # A at 4, B at 5

    assert quiz_evidence_record(attempt_id=attempt.pk) == []
    attempt_graded_send(attempt=attempt)  # the signal delivered again
    assert sorted(Evidence.objects.filter(person=learner).values_list("level", flat=True)) == [4, 5]


def test_an_attempt_in_progress_records_nothing(quiz, django_capture_on_commit_callbacks):
    learner = UserFactory()
    attempt = attempt_start(quiz=quiz, learner=learner)
    answer(attempt)
    assert quiz_evidence_record(attempt_id=attempt.pk) == []
    assert not Evidence.objects.filter(person=learner).exists()


def test_exactly_eighty_percent_counts_and_below_does_not(django_capture_on_commit_callbacks):
    frameworks_load()
    category = category_create(name="Ngưỡng")
    questions = [
        question_create(category=category, type=T.TRUE_FALSE, text=f"Câu {i}", correct=True, level=2,
                        competences=[competence(A)])
        for i in range(5)
    ]
    quiz = quiz_create(title="Ngưỡng 80", questions=questions)
    learner = UserFactory()

    first = attempt_start(quiz=quiz, learner=learner)
    answer(first, wrong={"Câu 0", "Câu 1"})  # 3/5 = 60 %
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt=first, learner=learner)
    assert not Evidence.objects.filter(person=learner).exists()

    second = attempt_start(quiz=quiz, learner=learner)
    answer(second, wrong={"Câu 0"})  # 4/5 = 80 %
    with django_capture_on_commit_callbacks(execute=True):
        second = attempt_submit(attempt=second, learner=learner)
    row = Evidence.objects.get(person=learner)
    assert (row.level, row.source_id, row.source_label) == (2, str(second.pk), "Ngưỡng 80 — lần 2")
