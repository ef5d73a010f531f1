"""Attempts: start, resume, draw, save, submit, time-out, limits, grades."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments.quizzes.models import Attempt, Question, Response
from assessments.quizzes.selectors import quiz_grade_for_learner
from assessments.quizzes.services import (
    DEADLINE_GRACE,
    attempt_draw_layout,
    attempt_start,
    attempt_submit,
    attempts_time_out_due,
    category_create,
    question_create,
    question_revise,
    quiz_create,
    response_save,
    responses_save,
)
from lms.jobs.models import OutboxJob
from lms.jobs.services import jobs_dispatch_pending
from tests.factories import UserFactory

from .builders import T, bank_with_quiz

pytestmark = pytest.mark.django_db


def _item(attempt, question):
    return next(i for i in attempt.layout if i["question"] == question.pk)


def _right_answers(attempt, questions) -> dict[int, dict]:
    """The full-marks answer to every question, in the attempt's presented terms."""
    answers = {}
    for q in questions.values():
        item = _item(attempt, q)
        if q.type in (T.SINGLE_CHOICE, T.TRUE_FALSE):
            answers[q.pk] = {"choice": q.choices.get(is_correct=True).pk}
        elif q.type == T.MULTIPLE_CHOICE:
            answers[q.pk] = {"choices": list(q.choices.filter(is_correct=True).values_list("pk", flat=True))}
        elif q.type == T.ORDERING:
            answers[q.pk] = {"order": list(q.choices.order_by("ordering").values_list("pk", flat=True))}
        elif q.type == T.MATCHING:
            pairs = {p.pk: p for p in q.pairs.all()}
            offered = [pairs[pk].answer for pk in item["answers"]]
            answers[q.pk] = {"pairs": {str(pk): offered.index(pairs[pk].answer) for pk in item["prompts"]}}
        elif q.type == T.NUMERIC:
            answers[q.pk] = {"value": "6"}
        elif q.type == T.SHORT_TEXT:
            answers[q.pk] = {"text": "ha noi"}
    return answers


def test_question_create_refuses_bad_keys_and_leaves_nothing():
    category = category_create(name="Nhóm")
    bad = [
        {
            "type": T.SINGLE_CHOICE,
            "choices": [{"text": "A", "correct": True}, {"text": "B", "correct": True}],
        },
        {"type": T.SINGLE_CHOICE, "choices": [{"text": "A", "correct": True}]},
        {"type": T.MULTIPLE_CHOICE, "choices": [{"text": "A"}, {"text": "B"}]},
        {
            "type": T.MULTIPLE_CHOICE,
            "choices": [
                {"text": "A", "correct": True, "weight": "0.5"},
                {"text": "B", "correct": True, "weight": "0.3"},
            ],
        },
        {"type": T.TRUE_FALSE},
        {"type": T.MATCHING, "pairs": [("A", "1")]},
        {"type": T.ORDERING, "items": ["chỉ một"]},
        {"type": T.NUMERIC, "numeric": [(Decimal("1"), Decimal("0"), Decimal("0.5"))]},
        {"type": T.SHORT_TEXT, "accepted": ["  "]},
        {"type": T.SINGLE_CHOICE, "level": 9, "choices": [{"text": "A", "correct": True}, {"text": "B"}]},
    ]
    for spec in bad:
        with pytest.raises(ValidationError):
            question_create(category=category, text="Câu hỏi?", **spec)
    assert Question.objects.count() == 0


def test_start_freezes_the_paper_and_resume_returns_the_same_attempt():
    quiz, questions, _c = bank_with_quiz(shuffle_questions=True, shuffle_options=True)
    learner = UserFactory()
    first = attempt_start(quiz=quiz, learner=learner)
    assert first.number == 1 and first.state == Attempt.State.IN_PROGRESS
    assert {i["question"] for i in first.layout} == {q.pk for q in questions.values()}
    assert first.max_score == Decimal("7")
    again = attempt_start(quiz=quiz, learner=learner)
    assert again.pk == first.pk and again.layout == first.layout
    # The paper is a function of the seed: drawn again, it is identical.
    assert attempt_draw_layout(quiz=quiz, seed=first.seed) == first.layout
    # The ordering question is never shown in its right order.
    ordering = _item(first, questions["ordering"])
    assert ordering["options"] != list(
        questions["ordering"].choices.order_by("ordering").values_list("pk", flat=True)
    )


def test_random_draw_takes_n_from_the_category_and_level_range():
    root = category_create(name="Kỹ năng số")
    safety = category_create(name="An toàn", parent=root)
    other = category_create(name="Khác")
    low = [
        question_create(category=safety, type=T.TRUE_FALSE, text=f"Dễ {i}", correct=True, level=1)
        for i in range(6)
    ]
    question_create(category=safety, type=T.TRUE_FALSE, text="Khó", correct=True, level=5)
    question_create(category=other, type=T.TRUE_FALSE, text="Nhóm khác", correct=True, level=1)
    inactive = question_create(category=safety, type=T.TRUE_FALSE, text="Ngừng", correct=True, level=1)
    Question.objects.filter(pk=inactive.pk).update(is_active=False)
    quiz = quiz_create(
        title="Rút ngẫu nhiên",
        draw_rules=[{"category": root, "count": 3, "level_min": 1, "level_max": 2, "points": Decimal("2")}],
    )
    papers = set()
    for _n in range(8):
        attempt = attempt_start(quiz=quiz, learner=UserFactory())
        ids = [i["question"] for i in attempt.layout]
        assert len(ids) == 3 == len(set(ids))
        assert set(ids) <= {q.pk for q in low}
        assert all(i["points"] == "2.00" for i in attempt.layout) and attempt.max_score == 6
        papers.add(tuple(ids))
    assert len(papers) > 1  # different learners, different papers
    too_many = quiz_create(title="Quá nhiều", draw_rules=[{"category": safety, "count": 7, "level_max": 2}])
    with pytest.raises(ValidationError, match="chỉ có 6"):
        attempt_start(quiz=too_many, learner=UserFactory())
    assert not Attempt.objects.filter(quiz=too_many).exists()


def test_attempt_limit_counts_every_attempt():
    quiz, questions, _c = bank_with_quiz(max_attempts=2)
    learner = UserFactory()
    for _ in range(2):
        attempt = attempt_start(quiz=quiz, learner=learner)
        attempt_submit(attempt=attempt, learner=learner)
    with pytest.raises(ValidationError, match="hết 2 lần"):
        attempt_start(quiz=quiz, learner=learner)
    assert Attempt.objects.filter(quiz=quiz, learner=learner).count() == 2
    # Another learner has their own allowance.
    assert attempt_start(quiz=quiz, learner=UserFactory()).number == 1


def test_one_attempt_in_progress_is_enforced_by_the_database():
    from django.db import IntegrityError, transaction

    quiz, _q, _c = bank_with_quiz()
    learner = UserFactory()
    attempt = attempt_start(quiz=quiz, learner=learner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(quiz=quiz, learner=learner, number=2, seed=1, started_at=attempt.started_at)


def test_full_marks_then_resubmit_is_idempotent():
    quiz, questions, _c = bank_with_quiz(pass_mark_percent=Decimal("80"))
    learner = UserFactory()
    attempt = attempt_start(quiz=quiz, learner=learner)
    responses_save(attempt=attempt, learner=learner, answers=_right_answers(attempt, questions))
    graded = attempt_submit(attempt=attempt, learner=learner)
    assert graded.state == Attempt.State.SUBMITTED
    assert graded.score == Decimal("7.00") and graded.passed is True and graded.percent == 100
    assert Response.objects.filter(attempt=attempt, correct=True).count() == 7
    again = attempt_submit(attempt=attempt, learner=learner)
    assert again.score == graded.score and again.submitted_at == graded.submitted_at


def test_partial_answers_are_graded_on_the_server():
    quiz, questions, _c = bank_with_quiz(pass_mark_percent=Decimal("50"))
    learner = UserFactory()
    attempt = attempt_start(quiz=quiz, learner=learner)
    mc = questions["multiple"]
    right = list(mc.choices.filter(is_correct=True).values_list("pk", flat=True))
    wrong = list(mc.choices.filter(is_correct=False).values_list("pk", flat=True))
    short = questions["short"]
    response_save(
        attempt=attempt, learner=learner, question_id=mc.pk, answer={"choices": right[:2] + wrong[:1]}
    )
    response_save(attempt=attempt, learner=learner, question_id=short.pk, answer={"text": "Thang Long"})
    response_save(
        attempt=attempt, learner=learner, question_id=questions["numeric"].pk, answer={"value": "6,0"}
    )
    graded = attempt_submit(attempt=attempt, learner=learner)
    scores = dict(Response.objects.filter(attempt=attempt).values_list("question_id", "score"))
    assert scores == {
        mc.pk: Decimal("0.17"),
        short.pk: Decimal("0.50"),
        questions["numeric"].pk: Decimal("1.00"),
    }
    assert graded.score == Decimal("1.67") and graded.passed is False


def test_save_is_an_idempotent_upsert_and_checks_the_answer_against_the_paper():
    quiz, questions, _c = bank_with_quiz()
    learner = UserFactory()
    attempt = attempt_start(quiz=quiz, learner=learner)
    single = questions["single"]
    choice = single.choices.first().pk
    for _ in range(2):
        response_save(attempt=attempt, learner=learner, question_id=single.pk, answer={"choice": choice})
    assert Response.objects.filter(attempt=attempt).count() == 1
    other_question_choice = questions["multiple"].choices.first().pk
    bad = [
        (single.pk, {"choice": other_question_choice}),
        (single.pk, {"choice": "1"}),
        (single.pk, "A"),
        (questions["numeric"].pk, {"value": "sáu"}),
        (questions["short"].pk, {"text": "x" * 501}),
        (questions["ordering"].pk, {"order": [1, 2]}),
        (
            questions["ordering"].pk,
            {"order": [str(pk) for pk in _item(attempt, questions["ordering"])["options"]]},
        ),
        (questions["matching"].pk, {"pairs": {"999999": 0}}),
        (999999, {"choice": 1}),
    ]
    for question_id, answer in bad:
        with pytest.raises(ValidationError):
            response_save(attempt=attempt, learner=learner, question_id=question_id, answer=answer)
    # A batch with one bad answer saves nothing.
    with pytest.raises(ValidationError):
        responses_save(
            attempt=attempt,
            learner=learner,
            answers={questions["short"].pk: {"text": "Hà Nội"}, questions["numeric"].pk: {"value": "??"}},
        )
    assert not Response.objects.filter(attempt=attempt, question=questions["short"]).exists()
    with pytest.raises(PermissionDenied):
        response_save(
            attempt=attempt, learner=UserFactory(), question_id=single.pk, answer={"choice": choice}
        )


def test_save_after_submission_is_refused():
    quiz, questions, _c = bank_with_quiz()
    learner = UserFactory()
    attempt = attempt_start(quiz=quiz, learner=learner)
    attempt_submit(attempt=attempt, learner=learner)
    with pytest.raises(ValidationError, match="đã nộp"):
        response_save(
            attempt=attempt, learner=learner, question_id=questions["short"].pk, answer={"text": "Hà Nội"}
        )


def test_time_limit_grace_then_refusal_and_timed_out_grading():
    quiz, questions, _c = bank_with_quiz(time_limit_seconds=600)
    learner = UserFactory()
    start = timezone.now()
    attempt = attempt_start(quiz=quiz, learner=learner, now=start)
    assert attempt.deadline_at == start + datetime.timedelta(seconds=600)
    short = questions["short"]
    # A few seconds late (a slow network): still taken.
    response_save(
        attempt=attempt,
        learner=learner,
        question_id=short.pk,
        answer={"text": "Hà Nội"},
        now=attempt.deadline_at + datetime.timedelta(seconds=5),
    )
    late = attempt.deadline_at + DEADLINE_GRACE + datetime.timedelta(seconds=1)
    with pytest.raises(ValidationError, match="hết giờ"):
        response_save(
            attempt=attempt,
            learner=learner,
            question_id=questions["numeric"].pk,
            answer={"value": "6"},
            now=late,
        )
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.TIMED_OUT
    assert attempt.submitted_at == attempt.deadline_at
    assert attempt.score == Decimal("1.00")  # what was saved in time, and only that
    assert not Response.objects.filter(attempt=attempt, question=questions["numeric"]).exists()


def test_deadline_is_capped_by_the_quiz_closing_time():
    start = timezone.now()
    quiz, _q, _c = bank_with_quiz(time_limit_seconds=3600, closes_at=start + datetime.timedelta(minutes=5))
    attempt = attempt_start(quiz=quiz, learner=UserFactory(), now=start)
    assert attempt.deadline_at == quiz.closes_at


def test_an_abandoned_attempt_is_timed_out_by_its_job_and_by_the_sweep():
    quiz, questions, _c = bank_with_quiz(time_limit_seconds=60)
    learner = UserFactory()
    past = timezone.now() - datetime.timedelta(minutes=5)
    attempt = attempt_start(quiz=quiz, learner=learner, now=past)
    response_save(
        attempt=attempt, learner=learner, question_id=questions["numeric"].pk, answer={"value": "6"}, now=past
    )
    job = OutboxJob.objects.get(task="quizzes.attempt_time_out")
    assert job.kwargs == {"attempt_id": attempt.pk}
    assert job.run_after == attempt.deadline_at + DEADLINE_GRACE
    jobs_dispatch_pending()  # eager mode: the due job runs now
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.TIMED_OUT and attempt.score == Decimal("1.00")
    job.refresh_from_db()
    assert job.state == OutboxJob.State.DONE

    # The sweep catches one whose job went missing.
    other = attempt_start(quiz=quiz, learner=UserFactory(), now=past)
    OutboxJob.objects.filter(kwargs__attempt_id=other.pk).delete()
    assert attempts_time_out_due() == 1
    other.refresh_from_db()
    assert other.state == Attempt.State.TIMED_OUT and other.score == 0
    assert attempts_time_out_due() == 0


def test_resuming_after_the_deadline_grades_it_and_starts_afresh():
    quiz, _q, _c = bank_with_quiz(time_limit_seconds=60, max_attempts=3)
    learner = UserFactory()
    past = timezone.now() - datetime.timedelta(minutes=5)
    old = attempt_start(quiz=quiz, learner=learner, now=past)
    new = attempt_start(quiz=quiz, learner=learner)
    old.refresh_from_db()
    assert old.state == Attempt.State.TIMED_OUT
    assert new.pk != old.pk and new.number == 2 and new.state == Attempt.State.IN_PROGRESS


@pytest.mark.parametrize(
    ("method", "expected_percent", "expected_passed"),
    [
        ("highest", Decimal("100.00"), True),
        ("last", Decimal("42.86"), False),
        ("average", Decimal("52.38"), True),
    ],
)
def test_grade_methods(method, expected_percent, expected_passed):
    # Attempts scoring 3/7 (42.86 %), 7/7, 3/7: highest 100, last 42.86 (fails 50 %);
    # for average, 3/7, 7/7, 1/7: (42.86 + 100 + 14.29) / 3 = 52.38.
    quiz, questions, _c = bank_with_quiz(grade_method=method, pass_mark_percent=Decimal("50"))
    learner = UserFactory()
    assert quiz_grade_for_learner(quiz=quiz, learner=learner) is None
    plans = [["single", "numeric", "short"], list(questions), ["single", "numeric", "short"]]
    if method == "average":
        plans = [["single", "numeric", "short"], list(questions), ["single"]]  # 3/7, 7/7, 1/7
    for names in plans:
        attempt = attempt_start(quiz=quiz, learner=learner)
        answers = _right_answers(attempt, questions)
        responses_save(
            attempt=attempt,
            learner=learner,
            answers={questions[n].pk: answers[questions[n].pk] for n in names},
        )
        attempt_submit(attempt=attempt, learner=learner)
    grade = quiz_grade_for_learner(quiz=quiz, learner=learner)
    assert grade.attempts_graded == 3
    assert grade.percent == expected_percent and grade.passed is expected_passed


def test_after_close_review_needs_a_closing_time_or_an_attempt_limit():
    category = category_create(name="Nhóm")
    question = question_create(category=category, type=T.TRUE_FALSE, text="Đúng không?", correct=True)
    with pytest.raises(ValidationError, match="cần thời điểm đóng"):
        quiz_create(title="Không bao giờ đóng", questions=[question], review_rule="after_close")
    assert quiz_create(title="Ba lần", questions=[question], review_rule="after_close", max_attempts=3).pk


def test_review_after_close_opens_once_every_attempt_is_used():
    from assessments.quizzes.selectors import review_allowed

    quiz, _q, _c = bank_with_quiz(review_rule="after_close", max_attempts=2)
    learner = UserFactory()
    first = attempt_submit(attempt=attempt_start(quiz=quiz, learner=learner), learner=learner)
    assert review_allowed(attempt=first) is False
    attempt_submit(attempt=attempt_start(quiz=quiz, learner=learner), learner=learner)
    assert review_allowed(attempt=first) is True


def test_questions_are_tagged_with_framework_competences_and_a_level():
    from assessments.models import Competence, Framework, FrameworkArea

    framework = Framework.objects.create(code="digcomp-2.2", title_vi="DigComp 2.2")
    area = FrameworkArea.objects.create(framework=framework, code="4", title_vi="An toàn")
    competence = Competence.objects.create(
        framework=framework, area=area, code="4.2", title_vi="Bảo vệ dữ liệu"
    )
    category = category_create(name="An toàn")
    question = question_create(
        category=category,
        type=T.TRUE_FALSE,
        text="Không chia sẻ OTP.",
        correct=True,
        level=3,
        competences=[competence],
    )
    assert [c.qualified_code for c in question.competences.all()] == ["digcomp-2.2:4.2"]
    assert question.level == 3 and list(competence.questions.all()) == [question]


def test_revising_a_question_keeps_old_attempts_on_the_old_version():
    quiz, questions, _c = bank_with_quiz()
    learner = UserFactory()
    old = questions["single"]
    attempt = attempt_start(quiz=quiz, learner=learner)
    right = old.choices.get(is_correct=True).pk
    response_save(attempt=attempt, learner=learner, question_id=old.pk, answer={"choice": right})

    new = question_revise(
        question=old,
        choices=[{"text": "Không, không bao giờ", "correct": True}, {"text": "Có"}],
        explanation="Giải thích mới.",
    )
    old.refresh_from_db()
    assert (old.is_active, new.is_active, new.version, new.replaces_id) == (False, True, 2, old.pk)
    assert new.text == old.text and new.type == old.type
    # The attempt in progress still shows and is graded on the version it drew.
    graded = attempt_submit(attempt=attempt, learner=learner)
    assert Response.objects.get(attempt=graded, question=old).correct is True
    # A new attempt draws the new version.
    fresh = attempt_start(quiz=quiz, learner=UserFactory())
    ids = {i["question"] for i in fresh.layout}
    assert new.pk in ids and old.pk not in ids
    with pytest.raises(ValidationError, match="phiên bản mới hơn"):
        question_revise(question=old, text="Sửa bản cũ")
