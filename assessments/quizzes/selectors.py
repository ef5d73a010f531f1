"""Reads for the quiz pages, the API and staff.

`attempt_paper` is what a learner sees while answering: the presented questions, their
options and what was saved — and nothing about correctness. The dataclasses it returns
have no field that could hold a correct flag, a weight, feedback or an explanation, so
neither a template nor the API can leak one by accident. `attempt_review` adds those
only once the attempt is graded and the quiz's review rule allows it.
"""

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import Http404
from django.utils import timezone

from . import grading
from .models import Attempt, Question, Quiz, Response
from .services import attempt_expire_if_due, key_prefetches, layout_types

Type = Question.Type


# --- The paper (no answers) ---------------------------------------------------------------


@dataclass(frozen=True)
class PaperOption:
    value: int  # a choice id, or for matching the index of the offered answer
    text: str
    selected: bool = False
    position: int | None = None  # ordering: the position the learner gave (1-based)


@dataclass(frozen=True)
class PaperPrompt:
    key: str  # matching: the prompt's id, as a string (a JSON object key)
    text: str
    chosen: int | None = None  # index of the offered answer the learner matched


@dataclass(frozen=True)
class PaperQuestion:
    number: int
    id: int
    type: str
    text: str
    points: Decimal
    options: list[PaperOption] = field(default_factory=list)
    prompts: list[PaperPrompt] = field(default_factory=list)
    answer: dict = field(default_factory=dict)
    text_value: str = ""
    answered: bool = False

    @property
    def positions(self) -> list[int]:
        return list(range(1, len(self.options) + 1))


@dataclass(frozen=True)
class Paper:
    attempt_id: int
    quiz_id: int
    quiz_title: str
    number: int
    state: str
    started_at: datetime.datetime
    deadline_at: datetime.datetime | None
    remaining_seconds: int | None
    questions: list[PaperQuestion]

    @property
    def id(self) -> int:
        return self.attempt_id

    @property
    def remaining_minutes(self) -> int | None:
        return None if self.remaining_seconds is None else math.ceil(self.remaining_seconds / 60)

    @property
    def answered_count(self) -> int:
        return sum(q.answered for q in self.questions)


def quiz_get(*, quiz_id: int) -> Quiz:
    """An active quiz, or 404."""
    quiz = Quiz.objects.filter(pk=quiz_id, is_active=True).first()
    if quiz is None:
        raise Http404
    return quiz


def attempt_get_for_learner(
    *, attempt_id: int, learner: AbstractBaseUser, now: datetime.datetime | None = None
) -> Attempt:
    """The learner's own attempt (someone else's is a 404: its existence is not told),
    graded first if it ran past its deadline."""
    attempt = Attempt.objects.select_related("quiz").filter(pk=attempt_id, learner_id=learner.pk).first()
    if attempt is None:
        raise Http404
    return attempt_expire_if_due(attempt=attempt, now=now)


def _questions_for(attempt: Attempt, with_key: bool) -> dict[int, Question]:
    ids = [i["question"] for i in attempt.layout]
    prefetches = key_prefetches(types=layout_types(attempt.layout), with_key=with_key)
    return Question.objects.prefetch_related(*prefetches).in_bulk(ids)


def attempt_paper(*, attempt: Attempt, now: datetime.datetime | None = None) -> Paper:
    """The attempt as the learner answers it: questions in the frozen order, options in
    the frozen order, the saved answers. Questions, one query per kind of option the
    paper has (choices, pairs), the responses. Never any correctness, weight, feedback or explanation."""
    now = now or timezone.now()
    questions = _questions_for(attempt, with_key=False)
    saved = {r.question_id: r.answer for r in Response.objects.filter(attempt=attempt)}
    paper_questions = []
    for number, item in enumerate(attempt.layout, start=1):
        question = questions[item["question"]]
        answer = saved.get(question.pk) or {}
        # Only the relations this type has were prefetched: touch no other.
        choices = {c.pk: c for c in question.choices.all()} if question.type in Question.CHOICE_TYPES else {}
        pairs = {p.pk: p for p in question.pairs.all()} if question.type == Type.MATCHING else {}
        options: list[PaperOption] = []
        prompts: list[PaperPrompt] = []
        text_value = ""
        if question.type in (Type.SINGLE_CHOICE, Type.TRUE_FALSE, Type.MULTIPLE_CHOICE):
            selected = set(answer.get("choices", [])) | ({answer["choice"]} if "choice" in answer else set())
            options = [
                PaperOption(pk, choices[pk].text, pk in selected) for pk in item["options"] if pk in choices
            ]
        elif question.type == Type.ORDERING:
            order = answer.get("order") or []
            position = {pk: i for i, pk in enumerate(order, start=1)}
            options = [
                PaperOption(pk, choices[pk].text, position=position.get(pk))
                for pk in item["options"]
                if pk in choices
            ]
        elif question.type == Type.MATCHING:
            matched = answer.get("pairs", {})
            options = [
                PaperOption(i, pairs[pk].answer) for i, pk in enumerate(item["answers"]) if pk in pairs
            ]
            prompts = [
                PaperPrompt(str(pk), pairs[pk].prompt, matched.get(str(pk)))
                for pk in item["prompts"]
                if pk in pairs
            ]
        elif question.type == Type.NUMERIC:
            text_value = str(answer.get("value", ""))
        elif question.type == Type.SHORT_TEXT:
            text_value = str(answer.get("text", ""))
        paper_questions.append(
            PaperQuestion(
                number=number,
                id=question.pk,
                type=question.type,
                text=question.text,
                points=Decimal(item["points"]),
                options=options,
                prompts=prompts,
                answer=dict(answer),
                text_value=text_value,
                answered=_answered(answer),
            )
        )
    remaining = None
    if attempt.deadline_at is not None:
        remaining = max(0, int((attempt.deadline_at - now).total_seconds()))
    return Paper(
        attempt_id=attempt.pk,
        quiz_id=attempt.quiz_id,
        quiz_title=attempt.quiz.title,
        number=attempt.number,
        state=attempt.state,
        started_at=attempt.started_at,
        deadline_at=attempt.deadline_at,
        remaining_seconds=remaining,
        questions=paper_questions,
    )


def _answered(answer: Mapping) -> bool:
    return any(v not in (None, "", [], {}) for v in answer.values())


# --- Review (after grading) ---------------------------------------------------------------


@dataclass(frozen=True)
class ReviewOption:
    text: str
    chosen: bool
    is_correct: bool
    detail: str = ""  # ordering: "your position / right position"; matching: the match


@dataclass(frozen=True)
class ReviewQuestion:
    number: int
    type: str
    text: str
    points: Decimal
    score: Decimal
    correct: bool
    partial: bool
    answered: bool
    options: list[ReviewOption]
    given: str  # numeric and short text: what the learner typed
    expected: list[str]  # numeric and short text: the accepted answers
    feedback: str
    explanation: str


@dataclass(frozen=True)
class Review:
    attempt_id: int
    quiz_id: int
    quiz_title: str
    number: int
    state: str
    submitted_at: datetime.datetime | None
    score: Decimal
    max_score: Decimal
    percent: Decimal
    pass_mark_percent: Decimal
    passed: bool
    show_answers: bool
    review_rule: str
    answers_from: datetime.datetime | None  # after_close: when answers are shown
    questions: list[ReviewQuestion]


def review_allowed(*, attempt: Attempt, now: datetime.datetime | None = None) -> bool:
    """May the learner see answers, feedback and explanations of this graded attempt?

    after_submission — yes, once graded; never — no; after_close — once the quiz's
    closing time has passed, or, for a quiz that never closes, once the learner has used
    every allowed attempt (so answers cannot help a later attempt); a quiz without close
    time or attempt limit never shows them under this rule."""
    if not attempt.is_graded:
        return False
    quiz = attempt.quiz
    rule = quiz.review_rule
    if rule == Quiz.ReviewRule.AFTER_SUBMISSION:
        return True
    if rule == Quiz.ReviewRule.NEVER:
        return False
    now = now or timezone.now()
    if quiz.closes_at is not None:
        return now >= quiz.closes_at
    if quiz.max_attempts is not None:
        used = Attempt.objects.filter(
            quiz=quiz, learner_id=attempt.learner_id, state__in=Attempt.GRADED_STATES
        )
        return used.count() >= quiz.max_attempts
    return False


def _number_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def attempt_review(*, attempt: Attempt, now: datetime.datetime | None = None) -> Review:
    """Score, pass/fail and — if review_allowed — each question with the learner's
    answer, the right answer, the score, feedback and explanation. An attempt still in
    progress has no review (Http404)."""
    if not attempt.is_graded:
        raise Http404
    quiz = attempt.quiz
    show = review_allowed(attempt=attempt, now=now)
    items: list[ReviewQuestion] = []
    if show:
        questions = _questions_for(attempt, with_key=True)
        responses = {r.question_id: r for r in Response.objects.filter(attempt=attempt)}
        for number, item in enumerate(attempt.layout, start=1):
            question = questions[item["question"]]
            items.append(_review_question(number, question, item, responses.get(question.pk)))
    return Review(
        attempt_id=attempt.pk,
        quiz_id=quiz.pk,
        quiz_title=quiz.title,
        number=attempt.number,
        state=attempt.state,
        submitted_at=attempt.submitted_at,
        score=attempt.score or Decimal("0"),
        max_score=attempt.max_score,
        percent=attempt.percent or Decimal("0"),
        pass_mark_percent=quiz.pass_mark_percent,
        passed=bool(attempt.passed),
        show_answers=show,
        review_rule=quiz.review_rule,
        answers_from=quiz.closes_at if quiz.review_rule == Quiz.ReviewRule.AFTER_CLOSE else None,
        questions=items,
    )


def _review_question(
    number: int, question: Question, item: Mapping, response: Response | None
) -> ReviewQuestion:
    answer = response.answer if response else {}
    options: list[ReviewOption] = []
    given, expected = "", []
    choices = {c.pk: c for c in question.choices.all()} if question.type in Question.CHOICE_TYPES else {}
    if question.type in (Type.SINGLE_CHOICE, Type.TRUE_FALSE, Type.MULTIPLE_CHOICE):
        chosen = set(answer.get("choices", [])) | ({answer["choice"]} if "choice" in answer else set())
        for pk in item.get("options", []):
            if pk in choices:
                c = choices[pk]
                options.append(
                    ReviewOption(c.text, pk in chosen, c.is_correct, c.feedback if pk in chosen else "")
                )
    elif question.type == Type.ORDERING:
        right = {c.pk: i for i, c in enumerate(question.choices.all(), start=1)}
        given_pos = {pk: i for i, pk in enumerate(answer.get("order") or [], start=1)}
        for c in question.choices.all():
            yours = given_pos.get(c.pk)
            options.append(
                ReviewOption(
                    c.text, yours is not None, yours == right[c.pk], f"{yours or '–'} / {right[c.pk]}"
                )
            )
    elif question.type == Type.MATCHING:
        pairs = {p.pk: p for p in question.pairs.all()}
        offered = [pairs[pk].answer for pk in item.get("answers", []) if pk in pairs]
        matched = answer.get("pairs", {})
        for pk in item.get("prompts", []):
            if pk not in pairs:
                continue
            index = matched.get(str(pk))
            yours = offered[index] if isinstance(index, int) and 0 <= index < len(offered) else ""
            options.append(
                ReviewOption(
                    pairs[pk].prompt,
                    bool(yours),
                    yours == pairs[pk].answer,
                    f"{yours or '–'} → {pairs[pk].answer}",
                )
            )
    elif question.type == Type.NUMERIC:
        given = str(answer.get("value", ""))
        expected = [
            _number_text(n.value) + (f" ± {_number_text(n.tolerance)}" if n.tolerance else "")
            for n in question.numeric_answers.all()
            if n.fraction == 1
        ]
    elif question.type == Type.SHORT_TEXT:
        given = str(answer.get("text", ""))
        expected = [t.text for t in question.text_answers.all() if t.fraction == 1]
    score = response.score if response and response.score is not None else Decimal("0")
    correct = bool(response and response.correct)
    return ReviewQuestion(
        number=number,
        type=question.type,
        text=question.text,
        points=Decimal(item["points"]),
        score=score,
        correct=correct,
        partial=not correct and score > 0,
        answered=bool(response and _answered(answer)),
        options=options,
        given=given,
        expected=expected,
        feedback=question.feedback,
        explanation=question.explanation,
    )


# --- Grades -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LearnerGrade:
    percent: Decimal
    passed: bool
    attempts_graded: int
    method: str


def quiz_grade_for_learner(*, quiz: Quiz, learner: AbstractBaseUser) -> LearnerGrade | None:
    """The learner's grade for the quiz, in percent, from graded attempts (submitted or
    timed out): highest — the best attempt; last — the latest attempt; average — the
    mean of all attempts' percentages, rounded half-up to 0.01. Passed when that grade
    reaches the pass mark. None before any graded attempt."""
    attempts = list(
        Attempt.objects.filter(quiz=quiz, learner_id=learner.pk, state__in=Attempt.GRADED_STATES).order_by(
            "number"
        )
    )
    if not attempts:
        return None
    grade = grading.grade_over_attempts(
        method=quiz.grade_method, percents=[a.percent or Decimal("0") for a in attempts]
    )
    return LearnerGrade(
        percent=grade,
        passed=grade >= quiz.pass_mark_percent,
        attempts_graded=len(attempts),
        method=quiz.grade_method,
    )


@dataclass(frozen=True)
class QuizStatus:
    attempts_used: int
    attempts_left: int | None
    in_progress: Attempt | None
    last_graded: Attempt | None
    grade: LearnerGrade | None
    can_start: bool


def quiz_status_for_learner(
    *, quiz: Quiz, learner: AbstractBaseUser, now: datetime.datetime | None = None
) -> QuizStatus:
    """What the quiz's start page says to this learner: attempts used and left, the
    attempt in progress (graded first if it timed out), the latest graded one, the grade."""
    now = now or timezone.now()
    attempts = list(Attempt.objects.filter(quiz=quiz, learner_id=learner.pk).order_by("number"))
    in_progress = next((a for a in attempts if a.state == Attempt.State.IN_PROGRESS), None)
    if in_progress is not None:
        in_progress = attempt_expire_if_due(attempt=in_progress, now=now)
        if in_progress.state != Attempt.State.IN_PROGRESS:
            attempts = list(Attempt.objects.filter(quiz=quiz, learner_id=learner.pk).order_by("number"))
            in_progress = None
    graded = [a for a in attempts if a.is_graded]
    left = None if quiz.max_attempts is None else max(0, quiz.max_attempts - len(attempts))
    is_open = (quiz.opens_at is None or now >= quiz.opens_at) and (
        quiz.closes_at is None or now < quiz.closes_at
    )
    return QuizStatus(
        attempts_used=len(attempts),
        attempts_left=left,
        in_progress=in_progress,
        last_graded=graded[-1] if graded else None,
        grade=quiz_grade_for_learner(quiz=quiz, learner=learner) if graded else None,
        can_start=in_progress is not None or (is_open and (left is None or left > 0)),
    )


# --- Item statistics ----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemStatistic:
    question_id: int
    text: str
    type: str
    responses: int  # attempts that had the question on their paper
    facility: float | None  # mean fraction earned, 0–1
    discrimination: float | None  # corrected item–rest correlation, −1–1


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def item_statistics(*, quiz: Quiz, first_attempt_only: bool = True) -> list[ItemStatistic]:
    """Facility and discrimination of each question that appeared in graded attempts.

    Which attempts: graded ones (submitted or timed out); by default only each learner's
    first, as Moodle does, since later attempts follow a review. An unanswered question
    counts as 0.

    Facility index: the mean fraction of the points earned, 0 (nobody) to 1 (everybody).
    Discrimination: the Pearson correlation between the fraction earned on the question
    and the attempt's score on the *other* questions (rest score / rest maximum) — the
    corrected item–total correlation; for right/wrong questions it is the point-biserial
    coefficient. None with fewer than two attempts or when either side does not vary.
    Rounded to 4 decimals."""
    attempts = list(
        Attempt.objects.filter(quiz=quiz, state__in=Attempt.GRADED_STATES).order_by("learner_id", "number")
    )
    if first_attempt_only:
        firsts: dict[int, Attempt] = {}
        for a in attempts:
            firsts.setdefault(a.learner_id, a)
        attempts = list(firsts.values())
    earned: dict[tuple[int, int], tuple[float, float]] = {}
    for attempt_id, question_id, fraction, score in Response.objects.filter(attempt__in=attempts).values_list(
        "attempt_id", "question_id", "fraction", "score"
    ):
        earned[(attempt_id, question_id)] = (float(fraction or 0), float(score or 0))
    per_question: dict[int, tuple[list[float], list[float]]] = {}
    for attempt in attempts:
        total, maximum = float(attempt.score or 0), float(attempt.max_score or 0)
        for item in attempt.layout:
            qid = item["question"]
            fraction, score = earned.get((attempt.pk, qid), (0.0, 0.0))
            rest_max = maximum - float(item["points"])
            xs, ys = per_question.setdefault(qid, ([], []))
            xs.append(fraction)
            ys.append((total - score) / rest_max if rest_max > 0 else 0.0)
    questions = Question.objects.in_bulk(list(per_question))
    result = []
    for qid, (xs, ys) in per_question.items():
        r = _pearson(xs, ys)
        result.append(
            ItemStatistic(
                question_id=qid,
                text=questions[qid].text,
                type=questions[qid].type,
                responses=len(xs),
                facility=round(sum(xs) / len(xs), 4) if xs else None,
                discrimination=None if r is None else round(r, 4),
            )
        )
    return sorted(result, key=lambda s: s.question_id)
