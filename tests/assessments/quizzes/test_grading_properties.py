"""Properties of quiz grading, checked with hypothesis over generated keys and answers.

For every question type: the fraction earned is in [0, 1] and the score in [0, points];
the key earns full marks; the same answer always earns the same; the order the options
were shown in changes nothing. Partial credit only grows as an answer gets closer to the
key (multiple choice, matching, ordering). Short text ignores accents, case and spacing.
Grade methods (highest / last / average) over any list of attempts behave as documented.
The last part does the same through the database: questions of every type on papers
drawn with different seeds, graded by the service that grades real attempts.
"""

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assessments.quizzes import grading as g
from assessments.quizzes.models import Attempt, Question, Quiz
from assessments.quizzes.services import (
    attempt_draw_layout,
    attempt_start,
    attempt_submit,
    grade_question,
    key_prefetches,
    responses_save,
)
from lms.core.text import fold
from tests.factories import UserFactory

from .builders import bank_with_quiz

T = Question.Type
ZERO, ONE = Fraction(0), Fraction(1)


def in_unit(value: Fraction) -> bool:
    return ZERO <= value <= ONE


# --- Choice questions ------------------------------------------------------------------


@st.composite
def choice_question(draw, min_correct: int = 1, max_correct: int | None = None):
    """Options (id, is_correct, weight=None) with ids 1…n, shuffled as a paper shows them."""
    n = draw(st.integers(min_value=2, max_value=8))
    k = draw(st.integers(min_value=min_correct, max_value=max_correct or n))
    assume(k <= n)
    correct = set(draw(st.permutations(range(1, n + 1)))[:k])
    options = [(i, i in correct, None) for i in range(1, n + 1)]
    return options, correct


@given(choice_question(max_correct=1), st.data())
def test_single_choice_properties(question, data):
    options, correct = question
    weights = g.choice_weights(options)
    chosen = data.draw(st.sampled_from([o[0] for o in options]))
    fraction = g.grade_single_choice(weights=weights, answer={"choice": chosen})
    assert in_unit(fraction)
    assert fraction == (ONE if chosen in correct else ZERO)
    assert g.grade_single_choice(weights=weights, answer={"choice": next(iter(correct))}) == ONE
    # Same answer, same grade; options listed in another order, same weights.
    assert g.grade_single_choice(weights=weights, answer={"choice": chosen}) == fraction
    shuffled = data.draw(st.permutations(options))
    assert g.grade_single_choice(weights=g.choice_weights(shuffled), answer={"choice": chosen}) == fraction


@given(choice_question(), st.data())
def test_multiple_choice_properties(question, data):
    options, correct = question
    ids = [o[0] for o in options]
    weights = g.choice_weights(options)
    chosen = data.draw(st.lists(st.sampled_from(ids), unique=True))
    fraction = g.grade_multiple_choice(weights=weights, answer={"choices": chosen})
    assert in_unit(fraction)
    assert g.grade_multiple_choice(weights=weights, answer={"choices": sorted(correct)}) == ONE
    assert (fraction == ONE) == (set(chosen) == correct)
    # Deterministic, and neither the order of the ticks nor of the options matters.
    assert g.grade_multiple_choice(weights=weights, answer={"choices": list(reversed(chosen))}) == fraction
    shuffled = g.choice_weights(data.draw(st.permutations(options)))
    assert g.grade_multiple_choice(weights=shuffled, answer={"choices": chosen}) == fraction
    # Monotone: ticking one more right option, or unticking a wrong one, never lowers it.
    missing = sorted(correct - set(chosen))
    if missing:
        more = chosen + [data.draw(st.sampled_from(missing))]
        assert g.grade_multiple_choice(weights=weights, answer={"choices": more}) >= fraction
    wrong = sorted(set(chosen) - correct)
    if wrong:
        fewer = [c for c in chosen if c != data.draw(st.sampled_from(wrong))]
        assert g.grade_multiple_choice(weights=weights, answer={"choices": fewer}) >= fraction


# --- Matching --------------------------------------------------------------------------

ANSWER_TEXTS = ["VNeID", "Cổng Dịch vụ công", "eTax Mobile", "Zalo", "Ví điện tử", "Ngân hàng số", "SMS"]


@st.composite
def matching_question(draw):
    """Prompts p1…pn each with an answer text (two may share one), the distinct answer
    texts offered in a shuffled order (distractors included), and an answer: for each
    prompt an index into the offered list, or nothing."""
    n = draw(st.integers(min_value=2, max_value=6))
    expected = {f"{i}": draw(st.sampled_from(ANSWER_TEXTS)) for i in range(1, n + 1)}
    distractors = draw(st.lists(st.sampled_from(ANSWER_TEXTS), max_size=2))
    offered = draw(st.permutations(sorted(set(expected.values()) | set(distractors))))
    pairs = {
        key: index
        for key in expected
        if (index := draw(st.none() | st.integers(min_value=0, max_value=len(offered) - 1))) is not None
    }
    return expected, list(offered), pairs


@given(matching_question(), st.data())
def test_matching_properties(question, data):
    expected, offered, pairs = question
    fraction = g.grade_matching(expected=expected, offered=offered, answer={"pairs": pairs})
    assert in_unit(fraction)
    key = {k: offered.index(text) for k, text in expected.items()}
    assert g.grade_matching(expected=expected, offered=offered, answer={"pairs": key}) == ONE
    assert g.grade_matching(expected=expected, offered=offered, answer={"pairs": dict(pairs)}) == fraction
    # Offered in another order, the same matches (by text) earn the same.
    reordered = data.draw(st.permutations(offered))
    moved = {k: reordered.index(offered[i]) for k, i in pairs.items()}
    assert g.grade_matching(expected=expected, offered=list(reordered), answer={"pairs": moved}) == fraction
    # Monotone: putting one prompt right raises the grade by exactly one share.
    wrong = [k for k in expected if k not in pairs or offered[pairs[k]] != expected[k]]
    if wrong:
        fixed = dict(pairs, **{wrong[0]: key[wrong[0]]})
        better = g.grade_matching(expected=expected, offered=offered, answer={"pairs": fixed})
        assert better == fraction + Fraction(1, len(expected))


# --- Ordering --------------------------------------------------------------------------


@given(st.integers(min_value=2, max_value=8).flatmap(lambda n: st.permutations(range(101, 101 + n))))
def test_ordering_properties(order):
    correct = sorted(order)
    fraction = g.grade_ordering(correct_order=correct, answer={"order": list(order)})
    assert in_unit(fraction)
    assert g.grade_ordering(correct_order=correct, answer={"order": correct}) == ONE
    assert (fraction == ONE) == (list(order) == correct)
    assert g.grade_ordering(correct_order=correct, answer={"order": list(order)}) == fraction
    # Monotone: swapping two neighbours that are the wrong way round never lowers it.
    for i in range(len(order) - 1):
        if order[i] > order[i + 1]:
            closer = list(order)
            closer[i], closer[i + 1] = closer[i + 1], closer[i]
            assert g.grade_ordering(correct_order=correct, answer={"order": closer}) >= fraction


# --- Numeric ---------------------------------------------------------------------------


@given(
    value=st.decimals(min_value=-10_000, max_value=10_000, places=2, allow_nan=False),
    tolerance=st.decimals(min_value=0, max_value=5, places=2, allow_nan=False),
    offset=st.decimals(min_value=-20, max_value=20, places=2, allow_nan=False),
)
def test_numeric_properties(value, tolerance, offset):
    accepted = [(value, tolerance, Decimal("1"))]
    typed = value + offset
    as_text = format(typed, "f")
    fraction = g.grade_numeric(accepted=accepted, answer={"value": as_text})
    assert in_unit(fraction)
    assert fraction == (ONE if abs(offset) <= tolerance else ZERO)
    # The key, with a point or a comma as decimal mark, earns full marks.
    assert g.grade_numeric(accepted=accepted, answer={"value": format(value, "f")}) == ONE
    assert g.grade_numeric(accepted=accepted, answer={"value": format(value, "f").replace(".", ",")}) == ONE
    assert g.grade_numeric(accepted=accepted, answer={"value": as_text.replace(".", ",")}) == fraction


# --- Short text ------------------------------------------------------------------------

VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
words = st.text(alphabet=VIETNAMESE, min_size=1, max_size=8)
phrases = st.lists(words, min_size=1, max_size=4).map(" ".join)


@given(accepted=phrases, other=phrases, spaces=st.integers(min_value=1, max_value=3))
def test_short_text_is_accent_case_and_space_insensitive(accepted, other, spaces):
    key = [(accepted, Decimal("1"))]
    assert g.grade_short_text(accepted=key, answer={"text": accepted}) == ONE
    # Typed without accents, in capitals, with extra spaces and a full stop: still right.
    spaced = (" " * spaces).join(accepted.split()) + "."
    for typed in (fold(accepted), accepted.upper(), spaced, f"  {accepted} "):
        assert g.grade_short_text(accepted=key, answer={"text": typed}) == ONE
    # Something else is right only if it folds to the same text.
    fraction = g.grade_short_text(accepted=key, answer={"text": other})
    assert fraction == (ONE if fold(other) == fold(accepted) else ZERO)


# --- Scores and grade methods ------------------------------------------------------------

fractions = st.fractions(min_value=0, max_value=1, max_denominator=1000)
points = st.decimals(min_value=Decimal("0.01"), max_value=100, places=2, allow_nan=False)


@given(points=points, fraction=fractions)
def test_score_is_within_zero_and_the_points(points, fraction):
    score = g.score_for(points=points, fraction=fraction)
    assert Decimal("0") <= score <= points
    assert g.score_for(points=points, fraction=ONE) == points
    assert g.score_for(points=points, fraction=fraction) == score


percents = st.lists(
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False), min_size=1, max_size=12
)


@given(percents, st.data())
def test_grade_methods_over_attempts(attempts, data):
    highest = g.grade_over_attempts(method=Quiz.GradeMethod.HIGHEST, percents=attempts)
    last = g.grade_over_attempts(method=Quiz.GradeMethod.LAST, percents=attempts)
    average = g.grade_over_attempts(method=Quiz.GradeMethod.AVERAGE, percents=attempts)
    assert highest == max(attempts) and last == attempts[-1]
    assert min(attempts) <= average <= highest
    assert abs(average - sum(attempts) / len(attempts)) <= Decimal("0.005")
    # Highest and average do not depend on the order of the attempts; last does only that.
    shuffled = data.draw(st.permutations(attempts))
    assert g.grade_over_attempts(method=Quiz.GradeMethod.HIGHEST, percents=shuffled) == highest
    assert g.grade_over_attempts(method=Quiz.GradeMethod.AVERAGE, percents=shuffled) == average
    # Another attempt never lowers "highest"; a better one never lowers "average".
    extra = data.draw(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False))
    assert g.grade_over_attempts(method=Quiz.GradeMethod.HIGHEST, percents=[*attempts, extra]) >= highest
    if extra >= average:
        assert g.grade_over_attempts(method=Quiz.GradeMethod.AVERAGE, percents=[*attempts, extra]) >= average
    assert g.grade_over_attempts(method=Quiz.GradeMethod.LAST, percents=[*attempts, extra]) == extra


def test_grade_methods_without_attempts_give_no_grade():
    for method in Quiz.GradeMethod.values:
        assert g.grade_over_attempts(method=method, percents=[]) is None


# --- Through the database: every type, papers drawn with different seeds ----------------

DB_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def bank(db):
    quiz, questions, _category = bank_with_quiz(shuffle_options=True, shuffle_questions=True)
    loaded = Question.objects.prefetch_related(*key_prefetches()).in_bulk([q.pk for q in questions.values()])
    return quiz, loaded


def _logical_answer(question: Question, item: dict, rng: random.Random) -> dict:
    """A random answer, expressed by what it means (option ids, texts), not positions."""
    kind = question.type
    options = item.get("options", [])
    if kind in (T.SINGLE_CHOICE, T.TRUE_FALSE):
        return {"choice": rng.choice(options)}
    if kind == T.MULTIPLE_CHOICE:
        return {"choices": rng.sample(options, rng.randint(0, len(options)))}
    if kind == T.ORDERING:
        return {"order": rng.sample(options, len(options))}
    if kind == T.MATCHING:
        pairs = {p.pk: p.answer for p in question.pairs.all()}
        texts = [pairs[pk] for pk in item["answers"]]
        return {"by_text": {str(pk): rng.choice(texts) for pk in item["prompts"]}}
    if kind == T.NUMERIC:
        return {"value": rng.choice(["6", "6,0", "6.00", "5", "7", "1.000", ""])}
    return {"text": rng.choice(["Hà Nội", "ha noi", "HA NOI.", "thang long", "Huế", ""])}


def _as_shown(answer: dict, question: Question, item: dict) -> dict:
    """The logical answer in the shape the paper `item` takes (matching: indices)."""
    if "by_text" not in answer:
        return answer
    pairs = {p.pk: p.answer for p in question.pairs.all()}
    offered = [pairs[pk] for pk in item["answers"]]
    return {"pairs": {key: offered.index(text) for key, text in answer["by_text"].items()}}


def _key(question: Question, item: dict) -> dict:
    kind = question.type
    if kind in (T.SINGLE_CHOICE, T.TRUE_FALSE):
        return {"choice": next(c.pk for c in question.choices.all() if c.is_correct)}
    if kind == T.MULTIPLE_CHOICE:
        return {"choices": [c.pk for c in question.choices.all() if c.is_correct]}
    if kind == T.ORDERING:
        return {"order": [c.pk for c in question.choices.all()]}
    if kind == T.MATCHING:
        return {"by_text": {str(p.pk): p.answer for p in question.pairs.all() if p.prompt}}
    if kind == T.NUMERIC:
        return {"value": "6"}
    return {"text": "Hà Nội"}


@DB_SETTINGS
@given(seed_a=st.integers(0, 2**31 - 1), seed_b=st.integers(0, 2**31 - 1), answers=st.randoms())
def test_every_type_graded_the_same_whatever_the_paper(bank, seed_a, seed_b, answers):
    quiz, questions = bank
    paper_a = {i["question"]: i for i in attempt_draw_layout(quiz=quiz, seed=seed_a)}
    paper_b = {i["question"]: i for i in attempt_draw_layout(quiz=quiz, seed=seed_b)}
    assert set(paper_a) == set(paper_b) == set(questions)
    for pk, question in questions.items():
        answer = _logical_answer(question, paper_a[pk], answers)

        def grade(item, answer=answer, question=question):
            return grade_question(question=question, item=item, answer=_as_shown(answer, question, item))

        on_a, on_b = grade(paper_a[pk]), grade(paper_b[pk])
        assert in_unit(on_a) and on_a == on_b, question.type
        assert grade(paper_a[pk]) == on_a
        key = _as_shown(_key(question, paper_b[pk]), question, paper_b[pk])
        assert grade_question(question=question, item=paper_b[pk], answer=key) == ONE, question.type


@DB_SETTINGS
@given(answers=st.randoms())
def test_submitted_attempt_scores_within_zero_and_max(bank, answers):
    quiz, questions = bank
    learner = UserFactory()
    attempt = attempt_start(quiz=quiz, learner=learner)
    given_answers = {}
    # In question order, not paper order: the paper is drawn from a fresh seed each time.
    for item in sorted(attempt.layout, key=lambda i: i["question"]):
        question = questions[item["question"]]
        if answers.random() < 0.85:  # some questions left unanswered
            given_answers[question.pk] = _as_shown(_logical_answer(question, item, answers), question, item)
    responses_save(attempt=attempt, learner=learner, answers=given_answers)
    graded = attempt_submit(attempt=attempt, learner=learner)
    assert graded.state == Attempt.State.SUBMITTED
    assert Decimal("0") <= graded.score <= graded.max_score
    expected = sum(
        (
            g.score_for(
                points=Decimal(item["points"]),
                fraction=grade_question(
                    question=questions[item["question"]], item=item, answer=given_answers[item["question"]]
                ),
            )
            for item in attempt.layout
            if item["question"] in given_answers
        ),
        Decimal("0"),
    )
    assert graded.score == expected
    assert graded.passed == (graded.score * 100 >= quiz.pass_mark_percent * graded.max_score)
