"""Writes on the question bank, quizzes and attempts.

Rules that hold everywhere: grading happens here, on the server, never in the browser;
an attempt's questions and option order are frozen when it starts; one attempt per
learner and quiz is in progress at a time (a partial unique constraint backs it); after
the deadline (plus DEADLINE_GRACE for the network) nothing more is saved and the attempt
is graded as timed out with what was saved — by the job queued at start, by the sweep
job, or by whoever touches the attempt first.
"""

import datetime
import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.jobs.services import job_enqueue

from . import grading
from .models import (
    Attempt,
    Choice,
    MatchPair,
    NumericAnswer,
    Question,
    QuestionCategory,
    Quiz,
    QuizDrawRule,
    QuizQuestion,
    Response,
    ShortTextAnswer,
)
from .signals import attempt_graded_send

# Answers sent this long after the deadline are still taken (a slow phone network);
# later ones are refused and the attempt is graded as timed out.
DEADLINE_GRACE = datetime.timedelta(seconds=10)
MAX_TEXT_ANSWER = 500
Type = Question.Type


# --- Question bank -------------------------------------------------------------------------


def category_create(
    *, name: str, parent: QuestionCategory | None = None, description: str = ""
) -> QuestionCategory:
    """Create a category (names are unique among siblings)."""
    category = QuestionCategory(name=name.strip(), parent=parent, description=description)
    category.full_clean()
    category.save()
    return category


def category_descendant_ids(*, category: QuestionCategory) -> list[int]:
    """Ids of `category` and every category under it (categories are few: one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in QuestionCategory.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [category.pk]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.append(current)
        stack.extend(children.get(current, []))
    return found


@dataclass(frozen=True)
class ChoiceSpec:
    text: str
    correct: bool = False
    weight: Decimal | None = None
    feedback: str = ""


def _as_choice(spec: ChoiceSpec | Mapping[str, Any]) -> ChoiceSpec:
    if isinstance(spec, ChoiceSpec):
        return spec
    weight = spec.get("weight")
    return ChoiceSpec(
        text=str(spec.get("text", "")),
        correct=bool(spec.get("correct", False)),
        weight=None if weight is None else Decimal(str(weight)),
        feedback=str(spec.get("feedback", "")),
    )


@transaction.atomic
def question_create(
    *,
    category: QuestionCategory,
    type: str,
    text: str,
    level: int = 1,
    points: Decimal = Decimal("1"),
    feedback: str = "",
    explanation: str = "",
    competences: Sequence[Any] = (),
    choices: Sequence[ChoiceSpec | Mapping[str, Any]] = (),
    correct: bool | None = None,
    pairs: Sequence[tuple[str, str]] = (),
    items: Sequence[str] = (),
    numeric: Sequence[tuple[Decimal, Decimal] | tuple[Decimal, Decimal, Decimal]] = (),
    accepted: Sequence[str | tuple[str, Decimal]] = (),
) -> Question:
    """Create a question and its key, all or nothing.

    Rules per type (a ValidationError in Vietnamese otherwise):
    single_choice — `choices`, at least 2, exactly one correct (it earns weight 1);
    multiple_choice — `choices`, at least 2, at least one correct; weights optional
    (default +1/k, −1/w), given positive weights of correct options must sum to 1;
    true_false — `correct` is the right answer, the options “Đúng”/“Sai” are made here;
    matching — `pairs` (prompt, answer), at least 2 with a prompt, an empty prompt adds
    a distractor answer; ordering — `items` in the correct order, at least 2;
    numeric — `numeric` (value, tolerance[, fraction]), at least one with fraction 1;
    short_text — `accepted` variants (text[, fraction]), at least one with fraction 1.
    Level is 1–8; points are positive.
    """
    question = Question(
        category=category,
        type=type,
        text=text.strip(),
        level=level,
        default_points=Decimal(points),
        feedback=feedback,
        explanation=explanation,
    )
    question.full_clean()
    question.save()
    specs = [_as_choice(c) for c in choices]

    if type in (Type.SINGLE_CHOICE, Type.MULTIPLE_CHOICE):
        if len(specs) < 2 or any(not s.text.strip() for s in specs):
            raise ValidationError(_("Câu hỏi lựa chọn cần ít nhất hai lựa chọn có nội dung."))
        n_correct = sum(s.correct for s in specs)
        if type == Type.SINGLE_CHOICE and n_correct != 1:
            raise ValidationError(_("Câu hỏi một lựa chọn cần đúng một lựa chọn đúng."))
        if type == Type.MULTIPLE_CHOICE:
            if n_correct < 1:
                raise ValidationError(_("Câu hỏi nhiều lựa chọn cần ít nhất một lựa chọn đúng."))
            given = [s.weight for s in specs if s.correct and s.weight is not None]
            if given and (len(given) != n_correct or abs(sum(given) - 1) > Decimal("0.01")):
                raise ValidationError(_("Tỉ lệ điểm của các lựa chọn đúng phải cộng lại bằng 1."))
        rows = []
        for i, s in enumerate(specs):
            weight = s.weight
            if type == Type.SINGLE_CHOICE:
                weight = Decimal("1") if s.correct else (s.weight or Decimal("0"))
            rows.append(
                Choice(
                    question=question,
                    text=s.text.strip(),
                    is_correct=s.correct,
                    weight=weight,
                    feedback=s.feedback,
                    ordering=i,
                )
            )
        _bulk_clean_create(Choice, rows)
    elif type == Type.TRUE_FALSE:
        if correct is None:
            raise ValidationError(_("Câu hỏi Đúng/Sai cần cho biết đáp án đúng."))
        # Stored as content, in the bank's language (Vietnamese), whatever the UI language.
        _bulk_clean_create(
            Choice,
            [
                Choice(
                    question=question,
                    text="Đúng",
                    is_correct=correct,
                    weight=Decimal(int(correct)),
                    ordering=0,
                ),
                Choice(
                    question=question,
                    text="Sai",
                    is_correct=not correct,
                    weight=Decimal(int(not correct)),
                    ordering=1,
                ),
            ],
        )
    elif type == Type.ORDERING:
        cleaned = [str(i).strip() for i in items]
        if len(cleaned) < 2 or not all(cleaned):
            raise ValidationError(_("Câu hỏi sắp xếp cần ít nhất hai mục có nội dung."))
        _bulk_clean_create(
            Choice,
            [Choice(question=question, text=t, is_correct=True, ordering=i) for i, t in enumerate(cleaned)],
        )
    elif type == Type.MATCHING:
        with_prompt = [p for p in pairs if str(p[0]).strip()]
        if len(with_prompt) < 2 or any(not str(a).strip() for _p, a in pairs):
            raise ValidationError(_("Câu hỏi ghép cặp cần ít nhất hai cặp, mỗi cặp có vế phải."))
        _bulk_clean_create(
            MatchPair,
            [
                MatchPair(question=question, prompt=str(p).strip(), answer=str(a).strip(), ordering=i)
                for i, (p, a) in enumerate(pairs)
            ],
        )
    elif type == Type.NUMERIC:
        rows = []
        for entry in numeric:
            value, tolerance, *rest = entry
            rows.append(
                NumericAnswer(
                    question=question,
                    value=Decimal(str(value)),
                    tolerance=Decimal(str(tolerance)),
                    fraction=Decimal(str(rest[0])) if rest else Decimal("1"),
                )
            )
        if not any(r.fraction == 1 for r in rows):
            raise ValidationError(_("Câu hỏi số cần ít nhất một đáp số được trọn điểm."))
        _bulk_clean_create(NumericAnswer, rows)
    elif type == Type.SHORT_TEXT:
        rows = []
        for entry in accepted:
            answer_text, fraction = (entry, Decimal("1")) if isinstance(entry, str) else entry
            if not grading.normalise_text(answer_text):
                raise ValidationError(_("Đáp án chấp nhận không được để trống."))
            rows.append(
                ShortTextAnswer(question=question, text=answer_text.strip(), fraction=Decimal(str(fraction)))
            )
        if not any(r.fraction == 1 for r in rows):
            raise ValidationError(_("Câu trả lời ngắn cần ít nhất một đáp án được trọn điểm."))
        _bulk_clean_create(ShortTextAnswer, rows)
    if competences:
        question.competences.set(competences)
    return question


@transaction.atomic
def question_revise(*, question: Question, **definition: Any) -> Question:
    """Change a question by making a new version of it; return the new version.

    Rules: the old version is never edited — attempts that showed it keep being
    reviewed and graded against exactly what they showed — so it is marked inactive and
    the new one (version + 1, `replaces` = old) is created from `definition`, the
    arguments of question_create; what `definition` leaves out (category, type, text,
    level, points, feedback, explanation, competences) is copied. Quizzes that fix the
    old version in their list now fix the new one; draw rules see only active
    questions, so they draw the new one. Only the latest version can be revised.
    """
    question = Question.objects.select_for_update().get(pk=question.pk)
    if Question.objects.filter(replaces=question).exists():
        raise ValidationError(_("Câu hỏi này đã có phiên bản mới hơn; hãy sửa phiên bản mới nhất."))
    for name, value in (
        ("category", question.category),
        ("type", question.type),
        ("text", question.text),
        ("level", question.level),
        ("points", question.default_points),
        ("feedback", question.feedback),
        ("explanation", question.explanation),
    ):
        definition.setdefault(name, value)
    if "competences" not in definition:
        definition["competences"] = list(question.competences.all())
    revised = question_create(**definition)
    Question.objects.filter(pk=revised.pk).update(version=question.version + 1, replaces=question)
    Question.objects.filter(pk=question.pk).update(is_active=False)
    QuizQuestion.objects.filter(question=question).update(question=revised)
    revised.refresh_from_db()
    return revised


def _bulk_clean_create(model, rows: list) -> None:
    for row in rows:
        row.full_clean(exclude=["question"])
    model.objects.bulk_create(rows)


# --- Quizzes -------------------------------------------------------------------------------


def quiz_create(
    *,
    title: str,
    description: str = "",
    questions: Sequence[Question | tuple[Question, Decimal]] = (),
    draw_rules: Sequence[Mapping[str, Any]] = (),
    **options: Any,
) -> Quiz:
    """Create a quiz with its fixed questions (in order, optionally with points) and
    draw rules (dicts: category, count, level_min, level_max, include_subcategories,
    points). `options` are Quiz fields (pass_mark_percent, max_attempts, …). A quiz needs
    at least one question or rule."""
    if not questions and not draw_rules:
        raise ValidationError(_("Bài kiểm tra cần ít nhất một câu hỏi hoặc một quy tắc rút câu hỏi."))
    with transaction.atomic():
        quiz = Quiz(title=title.strip(), description=description, **options)
        quiz.full_clean()
        quiz.save()
        for i, entry in enumerate(questions):
            question, points = entry if isinstance(entry, tuple) else (entry, None)
            slot = QuizQuestion(quiz=quiz, question=question, ordering=i, points=points)
            slot.full_clean()
            slot.save()
        for i, spec in enumerate(draw_rules):
            rule = QuizDrawRule(quiz=quiz, ordering=i, **spec)
            rule.full_clean()
            rule.save()
    return quiz


# --- Attempts ------------------------------------------------------------------------------


def key_prefetches(*, types: set[str] | None = None, with_key: bool = True) -> list[Prefetch]:
    """The relations to prefetch for questions of these types (all types if None): a
    quiz of choice questions costs one query for its choices, not four. Without
    `with_key`, the numeric and text answers (pure key) are left out."""
    wanted = set(Type.values) if types is None else types
    prefetches = []
    if wanted & set(Question.CHOICE_TYPES):
        prefetches.append(Prefetch("choices", queryset=Choice.objects.order_by("ordering", "id")))
    if Type.MATCHING in wanted:
        prefetches.append(Prefetch("pairs", queryset=MatchPair.objects.order_by("ordering", "id")))
    if with_key and Type.NUMERIC in wanted:
        prefetches.append(Prefetch("numeric_answers"))
    if with_key and Type.SHORT_TEXT in wanted:
        prefetches.append(Prefetch("text_answers"))
    return prefetches


def layout_types(layout: Sequence[Mapping[str, Any]]) -> set[str] | None:
    """Question types on a frozen paper (None if a paper predates the "type" key)."""
    types = {item.get("type") for item in layout}
    return None if None in types else types  # type: ignore[return-value]


def _item_layout(question: Question, points: Decimal, rng: random.Random, shuffle_options: bool) -> dict:
    item: dict[str, Any] = {
        "question": question.pk,
        "type": question.type,
        "version": question.version,
        "points": str(points),
    }
    if question.type in (Type.SINGLE_CHOICE, Type.MULTIPLE_CHOICE, Type.TRUE_FALSE):
        options = [c.pk for c in question.choices.all()]
        if shuffle_options and question.type != Type.TRUE_FALSE:
            rng.shuffle(options)
        item["options"] = options
    elif question.type == Type.ORDERING:
        correct = [c.pk for c in question.choices.all()]
        options = correct[:]
        rng.shuffle(options)
        if options == correct:  # shown in the right order would give the answer away
            options = options[1:] + options[:1]
        item["options"] = options
    elif question.type == Type.MATCHING:
        pairs = list(question.pairs.all())
        prompts = [p.pk for p in pairs if p.prompt]
        if shuffle_options:
            rng.shuffle(prompts)
        # One offered answer per distinct text, always shuffled: in the prompts' order
        # they would give the matches away.
        seen: dict[str, int] = {}
        for p in pairs:
            seen.setdefault(p.answer, p.pk)
        answers = list(seen.values())
        rng.shuffle(answers)
        item["prompts"], item["answers"] = prompts, answers
    return item


def attempt_draw_layout(*, quiz: Quiz, seed: int) -> list[dict]:
    """The paper an attempt with `seed` gets: fixed questions in order, then each draw
    rule's questions — `count` active questions of the category (and sub-categories) in
    the level range, not already on the paper, sampled from the pool sorted by id with
    random.Random(seed) — then, if the quiz says so, all questions shuffled, and each
    question's options shuffled with the same generator. Same seed and same bank, same
    paper. Refuses (ValidationError) when a category has too few questions."""
    rng = random.Random(seed)
    chosen: list[tuple[int, Decimal | None]] = []
    taken: set[int] = set()
    for slot in quiz.fixed_questions.order_by("ordering", "id"):
        chosen.append((slot.question_id, slot.points))
        taken.add(slot.question_id)
    for rule in quiz.draw_rules.select_related("category").order_by("ordering", "id"):
        categories = (
            category_descendant_ids(category=rule.category)
            if rule.include_subcategories
            else [rule.category_id]
        )
        pool = list(
            Question.objects.filter(
                category_id__in=categories,
                is_active=True,
                level__gte=rule.level_min,
                level__lte=rule.level_max,
            )
            .exclude(pk__in=taken)
            .order_by("id")
            .values_list("id", flat=True)
        )
        if len(pool) < rule.count:
            raise ValidationError(
                _("Nhóm “%(category)s” chỉ có %(available)s câu hỏi phù hợp, cần %(count)s.")
                % {"category": rule.category.name, "available": len(pool), "count": rule.count}
            )
        for pk in rng.sample(pool, rule.count):
            chosen.append((pk, rule.points))
            taken.add(pk)
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    questions = Question.objects.prefetch_related(*key_prefetches()).in_bulk([pk for pk, _p in chosen])
    return [
        _item_layout(questions[pk], points or questions[pk].default_points, rng, quiz.shuffle_options)
        for pk, points in chosen
    ]


def _past_deadline(attempt: Attempt, now: datetime.datetime) -> bool:
    return attempt.deadline_at is not None and now > attempt.deadline_at + DEADLINE_GRACE


def attempt_start(*, quiz: Quiz, learner: AbstractBaseUser, now: datetime.datetime | None = None) -> Attempt:
    """Start an attempt, or resume the one in progress.

    Rules: an attempt in progress is returned as it is (same questions, same option
    order) unless its deadline has passed — then it is graded as timed out first. A new
    attempt needs the quiz active and open (opens_at ≤ now < closes_at) and an attempt
    left (max_attempts counts every attempt, finished or not). Its paper is drawn from a
    random seed stored on the attempt (attempt_draw_layout) and frozen in `layout`. Its
    deadline is start + time limit, never later than the quiz's closing time; a time-out
    job is queued for deadline + grace. Two simultaneous starts make one attempt: the
    partial unique constraint lets one in, the other resumes it.
    """
    now = now or timezone.now()
    for _try in range(3):
        current = Attempt.objects.filter(quiz=quiz, learner=learner, state=Attempt.State.IN_PROGRESS).first()
        if current is not None:
            current = attempt_expire_if_due(attempt=current, now=now)
            if current.state == Attempt.State.IN_PROGRESS:
                return current
        if not quiz.is_active or (quiz.opens_at and now < quiz.opens_at):
            raise ValidationError(_("Bài kiểm tra này chưa mở."))
        if quiz.closes_at and now >= quiz.closes_at:
            raise ValidationError(_("Bài kiểm tra này đã đóng."))
        used = Attempt.objects.filter(quiz=quiz, learner=learner).count()
        if quiz.max_attempts is not None and used >= quiz.max_attempts:
            raise ValidationError(
                _("Bạn đã làm hết %(n)s lần được phép của bài kiểm tra này.") % {"n": quiz.max_attempts}
            )
        seed = secrets.randbelow(2**31)
        layout = attempt_draw_layout(quiz=quiz, seed=seed)
        deadline = None
        if quiz.time_limit_seconds:
            deadline = now + datetime.timedelta(seconds=quiz.time_limit_seconds)
        if quiz.closes_at and (deadline is None or deadline > quiz.closes_at):
            deadline = quiz.closes_at
        try:
            with transaction.atomic():
                attempt = Attempt.objects.create(
                    quiz=quiz,
                    learner=learner,
                    number=used + 1,
                    seed=seed,
                    layout=layout,
                    started_at=now,
                    deadline_at=deadline,
                    max_score=sum((Decimal(i["points"]) for i in layout), Decimal("0")),
                )
                if deadline is not None:
                    job_enqueue(
                        task="quizzes.attempt_time_out",
                        kwargs={"attempt_id": attempt.pk},
                        run_after=deadline + DEADLINE_GRACE,
                        dedupe_key=f"quizzes.attempt_time_out:{attempt.pk}",
                    )
            return attempt
        except IntegrityError:
            continue  # a concurrent start won: resume it (or take the next number)
    raise ValidationError(_("Không bắt đầu được bài làm, hãy thử lại."))


def attempt_expire_if_due(*, attempt: Attempt, now: datetime.datetime | None = None) -> Attempt:
    """Grade an in-progress attempt past its deadline (plus grace) as timed out; return
    the attempt as it now is. Anything else is returned unchanged."""
    now = now or timezone.now()
    if attempt.state == Attempt.State.IN_PROGRESS and _past_deadline(attempt, now):
        return attempt_submit(attempt=attempt, now=now)
    return attempt


def _check_owner(attempt: Attempt, learner: AbstractBaseUser | None) -> None:
    if learner is not None and attempt.learner_id != learner.pk:
        raise PermissionDenied(_("Đây không phải bài làm của bạn."))


def _clean_answer(question: Question, item: Mapping[str, Any], answer: Any) -> dict:
    """The answer in its stored shape, checked against what the attempt shows."""
    if not isinstance(answer, Mapping):
        raise ValidationError(_("Câu trả lời không đúng định dạng."))
    options = item.get("options", [])
    kind = question.type
    if kind in (Type.SINGLE_CHOICE, Type.TRUE_FALSE):
        choice = answer.get("choice")
        if not isinstance(choice, int) or isinstance(choice, bool) or choice not in options:
            raise ValidationError(_("Hãy chọn một trong các lựa chọn của câu hỏi."))
        return {"choice": choice}
    if kind == Type.MULTIPLE_CHOICE:
        chosen = answer.get("choices")
        if not isinstance(chosen, list) or any(
            not isinstance(c, int) or isinstance(c, bool) or c not in options for c in chosen
        ):
            raise ValidationError(_("Hãy chọn trong các lựa chọn của câu hỏi."))
        return {"choices": [c for c in options if c in set(chosen)]}
    if kind == Type.ORDERING:
        order = answer.get("order")
        if (
            not isinstance(order, list)
            or not all(isinstance(o, int) and not isinstance(o, bool) for o in order)
            or sorted(order) != sorted(options)
        ):
            raise ValidationError(_("Hãy xếp đủ tất cả các mục, mỗi mục một vị trí."))
        return {"order": list(order)}
    if kind == Type.MATCHING:
        pairs = answer.get("pairs")
        prompts = {str(p) for p in item.get("prompts", [])}
        n_answers = len(item.get("answers", []))
        if not isinstance(pairs, Mapping):
            raise ValidationError(_("Câu trả lời ghép cặp không đúng định dạng."))
        cleaned = {}
        for key, index in pairs.items():
            if (
                str(key) not in prompts
                or not isinstance(index, int)
                or isinstance(index, bool)
                or not (0 <= index < n_answers)
            ):
                raise ValidationError(_("Hãy ghép mỗi vế trái với một vế phải có trong danh sách."))
            cleaned[str(key)] = index
        return {"pairs": cleaned}
    if kind == Type.NUMERIC:
        value = answer.get("value")
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or len(value) > 40:
            raise ValidationError(_("Hãy nhập một số."))
        if value.strip() and grading.parse_number(value) is None:
            raise ValidationError(_("“%(value)s” không phải là một số.") % {"value": value[:40]})
        return {"value": value.strip()}
    if kind == Type.SHORT_TEXT:
        text = answer.get("text")
        if not isinstance(text, str) or len(text) > MAX_TEXT_ANSWER:
            raise ValidationError(
                _("Câu trả lời ngắn phải là chữ, tối đa %(n)s ký tự.") % {"n": MAX_TEXT_ANSWER}
            )
        return {"text": text.strip()}
    raise ValidationError(_("Loại câu hỏi không được hỗ trợ."))


def responses_save(
    *,
    attempt: Attempt,
    learner: AbstractBaseUser | None,
    answers: Mapping[int, Any],
    now: datetime.datetime | None = None,
) -> list[Response]:
    """Save (insert or replace) answers {question id: answer} of an attempt, all or none.

    Rules: only the attempt's learner; only while in progress and not past the deadline
    plus grace (past it, the attempt is graded as timed out and the save refused); only
    questions on the attempt's paper; each answer checked against what the learner was
    shown (_clean_answer). Saving the same answer twice changes nothing but `saved_at`.
    """
    now = now or timezone.now()
    _check_owner(attempt, learner)
    if not answers:
        return []
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.state == Attempt.State.IN_PROGRESS and _past_deadline(locked, now):
            refused = True
        else:
            refused = False
            if locked.state == Attempt.State.TIMED_OUT:
                raise ValidationError(
                    _("Đã hết giờ làm bài: câu trả lời này không được lưu, bài đã được chấm.")
                )
            if locked.state != Attempt.State.IN_PROGRESS:
                raise ValidationError(_("Bài đã nộp, không thể sửa câu trả lời."))
            items = {i["question"]: i for i in locked.layout}
            unknown = [pk for pk in answers if pk not in items]
            if unknown:
                raise ValidationError(_("Câu hỏi không có trong bài làm này."))
            questions = Question.objects.in_bulk(list(answers))
            cleaned = {pk: _clean_answer(questions[pk], items[pk], answer) for pk, answer in answers.items()}
            existing = {
                r.question_id: r for r in Response.objects.filter(attempt=locked, question_id__in=cleaned)
            }
            saved = []
            for pk, answer in cleaned.items():
                response = existing.get(pk)
                if response is None:
                    response = Response.objects.create(
                        attempt=locked, question_id=pk, answer=answer, saved_at=now
                    )
                else:
                    response.answer, response.saved_at = answer, now
                    response.save(update_fields=["answer", "saved_at"])
                saved.append(response)
    if refused:
        attempt_submit(attempt=attempt, now=now)
        raise ValidationError(_("Đã hết giờ làm bài: câu trả lời này không được lưu, bài đã được chấm."))
    return saved


def response_save(
    *,
    attempt: Attempt,
    learner: AbstractBaseUser | None,
    question_id: int,
    answer: Any,
    now: datetime.datetime | None = None,
) -> Response:
    """Save one answer (the rules of responses_save). Idempotent upsert."""
    return responses_save(attempt=attempt, learner=learner, answers={question_id: answer}, now=now)[0]


def grade_question(*, question: Question, item: Mapping[str, Any], answer: Any) -> Fraction:
    """The fraction of the points `answer` earns (rules: assessments.quizzes.grading).
    Reads the key from prefetched relations."""
    answer = answer if isinstance(answer, Mapping) else {}
    kind = question.type
    if kind in (Type.SINGLE_CHOICE, Type.TRUE_FALSE, Type.MULTIPLE_CHOICE):
        weights = grading.choice_weights([(c.pk, c.is_correct, c.weight) for c in question.choices.all()])
        if kind == Type.MULTIPLE_CHOICE:
            return grading.grade_multiple_choice(weights=weights, answer=answer)
        return grading.grade_single_choice(weights=weights, answer=answer)
    if kind == Type.ORDERING:
        return grading.grade_ordering(correct_order=[c.pk for c in question.choices.all()], answer=answer)
    if kind == Type.MATCHING:
        pairs = {p.pk: p for p in question.pairs.all()}
        offered = [pairs[pk].answer for pk in item.get("answers", []) if pk in pairs]
        expected = {str(pk): pairs[pk].answer for pk in item.get("prompts", []) if pk in pairs}
        return grading.grade_matching(expected=expected, offered=offered, answer=answer)
    if kind == Type.NUMERIC:
        accepted = [(n.value, n.tolerance, n.fraction) for n in question.numeric_answers.all()]
        return grading.grade_numeric(accepted=accepted, answer=answer)
    if kind == Type.SHORT_TEXT:
        accepted = [(t.text, t.fraction) for t in question.text_answers.all()]
        return grading.grade_short_text(accepted=accepted, answer=answer)
    return grading.ZERO


def attempt_submit(
    *, attempt: Attempt, learner: AbstractBaseUser | None = None, now: datetime.datetime | None = None
) -> Attempt:
    """Grade the attempt on the server and close it.

    Rules: idempotent — a finished attempt is returned unchanged. Past the deadline plus
    grace the attempt is `timed_out` (submitted_at = the deadline), otherwise
    `submitted`. Each question on the paper earns points × fraction (grading rules),
    rounded to 0.01; an unanswered question earns 0. `passed` is score / max_score ≥
    pass mark. Every response keeps its score, fraction and whether it was fully right.
    Once committed, `signals.attempt_graded` is sent (only by the call that graded it).
    """
    now = now or timezone.now()
    _check_owner(attempt, learner)
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.state != Attempt.State.IN_PROGRESS:
            return locked
        quiz = Quiz.objects.get(pk=locked.quiz_id)
        timed_out = _past_deadline(locked, now)
        ids = [i["question"] for i in locked.layout]
        prefetches = key_prefetches(types=layout_types(locked.layout))
        questions = Question.objects.prefetch_related(*prefetches).in_bulk(ids)
        responses = {r.question_id: r for r in Response.objects.filter(attempt=locked)}
        total = Decimal("0")
        for item in locked.layout:
            response = responses.get(item["question"])
            if response is None:
                continue
            fraction = grade_question(question=questions[item["question"]], item=item, answer=response.answer)
            response.fraction = (Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(
                Decimal("0.000001")
            )
            response.score = grading.score_for(points=Decimal(item["points"]), fraction=fraction)
            response.correct = fraction == 1
            total += response.score
        Response.objects.bulk_update(list(responses.values()), ["fraction", "score", "correct"])
        locked.state = Attempt.State.TIMED_OUT if timed_out else Attempt.State.SUBMITTED
        locked.submitted_at = locked.deadline_at if timed_out else now
        locked.score = total
        locked.passed = bool(locked.max_score) and total * 100 >= quiz.pass_mark_percent * locked.max_score
        locked.save(update_fields=["state", "submitted_at", "score", "passed"])
        # Evidence and course completion listen (signals.attempt_graded), after commit.
        transaction.on_commit(partial(attempt_graded_send, attempt=locked), robust=True)
    return locked


def attempts_time_out_due(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Grade as timed out every in-progress attempt past its deadline plus grace, at most
    `limit` per call (the sweep job). Returns how many were graded."""
    now = now or timezone.now()
    due = list(
        Attempt.objects.filter(state=Attempt.State.IN_PROGRESS, deadline_at__lt=now - DEADLINE_GRACE)
        .order_by("deadline_at")
        .values_list("id", flat=True)[:limit]
    )
    done = 0
    for attempt in Attempt.objects.filter(pk__in=due):
        if attempt_expire_if_due(attempt=attempt, now=now).state == Attempt.State.TIMED_OUT:
            done += 1
    return done
