"""Scoring rules, one pure function per question type: key + answer → fraction in [0, 1].

Pure and deterministic: no database, no clock, exact arithmetic (`fractions.Fraction`),
so the same key and answer always give the same score, on any machine. The score of a
response is `points × fraction`, rounded half-up to 0.01 (`score_for`); an attempt's
score is the sum of its responses' scores.

The rules, per type:

- **single choice / true-false**: the weight of the chosen option (1 for the right one,
  0 for a wrong one unless the author gave it partial credit), floored at 0.
- **multiple choice** (partial credit): the sum of the weights of the chosen options,
  floored at 0 and capped at 1. Unless the author set weights, each of the k correct
  options is worth +1/k and each of the w wrong ones costs −1/w: all correct and nothing
  else → 1; ticking every box → 0; two of three correct → 2/3; two of three correct plus
  one of two wrong → 2/3 − 1/2 = 1/6.
- **matching**: the share of prompts matched to their answer (an answer that repeats the
  expected text counts, so two prompts may share one answer).
- **ordering**: all items in place → 1; otherwise Kendall's tau floored at 0, i.e.
  (pairs in the right relative order − pairs in the wrong order) / all pairs. Moving one
  item by one place costs little; a random order earns 0 on average; a reversed list 0.
- **numeric**: the best fraction among accepted values v with |answer − v| ≤ tolerance.
  The answer may use a comma or a point as decimal mark ("3,5" = "3.5"); with both
  kinds, the last one is the decimal mark ("1.234,5"); one kind repeated only groups
  thousands ("1.000.000"). A single mark is always decimal: "1.500" is 1.5.
- **short text**: the best fraction among accepted variants equal to the answer once both
  are folded (lms.core.text.fold: no accents, case, or extra spaces) and stripped of
  surrounding punctuation: "ha noi" = "Hà Nội." An empty answer earns 0.

A missing or malformed answer earns 0 (the services refuse malformed answers at save
time; grading never fails).
"""

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from lms.core.text import fold

ZERO = Fraction(0)
ONE = Fraction(1)
_STRIP = " \t\r\n.,;:!?\"'“”‘’()[]"


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clamp(value: Fraction) -> Fraction:
    return max(ZERO, min(ONE, value))


def _frac(value: Decimal | int | str | Fraction | None) -> Fraction:
    if value is None:
        return ZERO
    return Fraction(Decimal(value)) if not isinstance(value, Fraction) else value


def choice_weights(options: Sequence[tuple[int, bool, Decimal | None]]) -> dict[int, Fraction]:
    """Effective weight of each option (id, is_correct, weight): an explicit weight is
    used as given; an empty one is +1/k for a correct option (k correct options) and
    −1/w for a wrong one (w wrong options)."""
    correct = sum(1 for _, ok, _w in options if ok)
    wrong = len(options) - correct
    weights: dict[int, Fraction] = {}
    for option_id, ok, weight in options:
        if weight is not None:
            weights[option_id] = _frac(weight)
        elif ok:
            weights[option_id] = Fraction(1, correct)
        else:
            weights[option_id] = -Fraction(1, wrong) if wrong else ZERO
    return weights


def grade_single_choice(*, weights: Mapping[int, Fraction], answer: Mapping) -> Fraction:
    """Weight of the chosen option, floored at 0 (`answer = {"choice": id}`)."""
    chosen = answer.get("choice") if isinstance(answer, Mapping) else None
    if not _is_id(chosen) or chosen not in weights:
        return ZERO
    return _clamp(weights[chosen])


def grade_multiple_choice(*, weights: Mapping[int, Fraction], answer: Mapping) -> Fraction:
    """Sum of the chosen options' weights in [0, 1] (`answer = {"choices": [ids]}`);
    an option listed twice counts once."""
    chosen = answer.get("choices") if isinstance(answer, Mapping) else None
    if not isinstance(chosen, list | tuple):
        return ZERO
    return _clamp(sum((weights[c] for c in {c for c in chosen if _is_id(c)} if c in weights), ZERO))


def grade_matching(*, expected: Mapping[str, str], offered: Sequence[str], answer: Mapping) -> Fraction:
    """Share of prompts matched right. `expected` maps a prompt key to its answer text,
    `offered` is the list of answer texts as shown; `answer = {"pairs": {prompt key:
    index in offered}}`."""
    if not expected:
        return ZERO
    pairs = answer.get("pairs") if isinstance(answer, Mapping) else None
    if not isinstance(pairs, Mapping):
        return ZERO
    right = 0
    for key, text in expected.items():
        index = pairs.get(key)
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(offered):
            right += offered[index] == text
    return Fraction(right, len(expected))


def grade_ordering(*, correct_order: Sequence[int], answer: Mapping) -> Fraction:
    """1 if `answer = {"order": [ids]}` equals `correct_order`; otherwise Kendall's tau
    between the two orders, floored at 0. An answer that is not a permutation of the
    items earns 0."""
    order = answer.get("order") if isinstance(answer, Mapping) else None
    if not isinstance(order, list | tuple) or not all(_is_id(item) for item in order):
        return ZERO
    if len(order) != len(correct_order) or set(order) != set(correct_order) or len(set(order)) != len(order):
        return ZERO
    if list(order) == list(correct_order):
        return ONE
    n = len(order)
    if n < 2:
        return ZERO
    rank = {item: i for i, item in enumerate(correct_order)}
    positions = [rank[item] for item in order]
    concordant = discordant = 0
    for i in range(n):
        for j in range(i + 1, n):
            if positions[i] < positions[j]:
                concordant += 1
            else:
                discordant += 1
    return _clamp(Fraction(concordant - discordant, n * (n - 1) // 2))


def parse_number(raw: object) -> Decimal | None:
    """A number typed by a person: "3,5", "3.5", " 1.000.000 ", "1.234,5", "-2"; None if
    it is not one."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(str(raw))
    if not isinstance(raw, str):
        return None
    text = raw.strip().replace(" ", "").replace("\u00a0", "")
    if not text or len(text) > 40:
        return None
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        # "1.234,5" or "1,234.5": the last mark is the decimal mark.
        last = max(text.rfind("."), text.rfind(","))
        text = text[:last].replace(".", "").replace(",", "") + "." + text[last + 1 :]
    elif dots > 1 or commas > 1:
        # "1.000.000": one kind of mark, several times, only groups thousands.
        text = text.replace(".", "").replace(",", "")
    else:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def grade_numeric(*, accepted: Iterable[tuple[Decimal, Decimal, Decimal]], answer: Mapping) -> Fraction:
    """Best fraction among accepted (value, tolerance, fraction) with |x − value| ≤
    tolerance (`answer = {"value": "3,5"}`)."""
    raw = answer.get("value") if isinstance(answer, Mapping) else None
    number = parse_number(raw)
    if number is None:
        return ZERO
    best = ZERO
    for value, tolerance, fraction in accepted:
        if abs(number - Decimal(value)) <= Decimal(tolerance):
            best = max(best, _frac(fraction))
    return _clamp(best)


def normalise_text(text: object) -> str:
    """The comparable form of a short answer: folded, surrounding punctuation removed."""
    if not isinstance(text, str):
        return ""
    return fold(fold(text).strip(_STRIP))


def grade_short_text(*, accepted: Iterable[tuple[str, Decimal]], answer: Mapping) -> Fraction:
    """Best fraction among accepted variants equal to the answer once both are
    normalised (`answer = {"text": "..."}`)."""
    given = normalise_text(answer.get("text") if isinstance(answer, Mapping) else None)
    if not given:
        return ZERO
    best = ZERO
    for text, fraction in accepted:
        if normalise_text(text) == given:
            best = max(best, _frac(fraction))
    return _clamp(best)


GRADE_HIGHEST, GRADE_LAST, GRADE_AVERAGE = "highest", "last", "average"  # Quiz.GradeMethod values


def grade_over_attempts(*, method: str, percents: Sequence[Decimal]) -> Decimal | None:
    """A learner's grade on a quiz from their graded attempts' percentages, in attempt
    order: "highest" — the best; "last" — the latest; "average" — the mean, rounded
    half-up to 0.01 (an unknown method counts as highest). None without attempts.

    The one source of this rule: assessments.quizzes.selectors.quiz_grade_for_learner
    and the courses' batched quiz states (courses.selectors) both call it."""
    if not percents:
        return None
    if method == GRADE_LAST:
        return Decimal(percents[-1])
    if method == GRADE_AVERAGE:
        return (sum(percents, Decimal("0")) / len(percents)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return max(Decimal(p) for p in percents)


def score_for(*, points: Decimal, fraction: Fraction) -> Decimal:
    """Points earned: points × fraction, rounded half-up to 0.01."""
    exact = Fraction(Decimal(points)) * fraction
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
