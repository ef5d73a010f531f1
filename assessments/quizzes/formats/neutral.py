"""The one in-memory shape of a question that every file format reads into and writes from.

Readers turn a file into `QuestionData` (or `ParseProblem` for a question they could not
read); `questions_import` turns `QuestionData` into rows through `question_create`, the
same service (and the same validation) the admin uses. Writers turn rows into
`QuestionData` with `question_data_from_model` and then into a file. So a question
exported and imported again in any format gives an equal `QuestionData`.

Conventions of the neutral shape (what "equal" means):
- text is NFC-normalised and stripped (NFD text from some editors becomes the same
  letters in NFC);
- a category is a path of names from the root, e.g. ("An toàn số", "Lừa đảo");
- choices: `weight` None means "the default" — 1 for the right option of a single-choice
  question, 0 for its other options, the equal share (+1/k, −1/w) for multiple choice;
- numeric answers are (value, tolerance, fraction); short-text variants (text, fraction).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from ..models import Question, QuestionCategory

T = Question.Type
PATH_SEPARATOR = "/"


def nfc(text: object) -> str:
    return unicodedata.normalize("NFC", "" if text is None else str(text))


@dataclass(frozen=True)
class ChoiceData:
    text: str
    correct: bool = False
    weight: Decimal | None = None
    feedback: str = ""


@dataclass(frozen=True)
class QuestionData:
    type: str
    text: str
    category: tuple[str, ...] = ()
    feedback: str = ""
    explanation: str = ""
    level: int = 1
    competences: tuple[str, ...] = ()
    points: Decimal = Decimal("1")
    choices: tuple[ChoiceData, ...] = ()
    correct: bool | None = None
    pairs: tuple[tuple[str, str], ...] = ()
    items: tuple[str, ...] = ()
    numeric: tuple[tuple[Decimal, Decimal, Decimal], ...] = ()
    accepted: tuple[tuple[str, Decimal], ...] = ()
    # Where it came from, for the report; not part of the question.
    title: str = field(default="", compare=False)
    location: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        return self.title or self.text[:60]


@dataclass(frozen=True)
class ParseProblem:
    """A question a reader could not read: where, what it was called, and why."""

    location: str
    title: str
    reason: str


class FileProblem(Exception):
    """The file as a whole cannot be read (broken XML, not an XLSX, wrong columns...).
    The message is for people, in the active language."""


def split_path(raw: str) -> tuple[str, ...]:
    """'A/B//C' → ('A', 'B/C'): Moodle's convention, '//' is a slash inside a name.
    Moodle's context prefixes ($course$, $system$, top…) are dropped."""
    raw = nfc(raw).strip()
    parts = [p.replace("\0", "/").strip() for p in raw.replace("//", "\0").split(PATH_SEPARATOR)]
    parts = [p for p in parts if p]
    while parts and (parts[0].startswith("$") and parts[0].endswith("$")):
        parts.pop(0)
    if parts and parts[0] == "top":
        parts.pop(0)
    return tuple(parts)


def join_path(path: tuple[str, ...]) -> str:
    return PATH_SEPARATOR.join(p.replace("/", "//") for p in path)


def category_paths() -> dict[int, tuple[str, ...]]:
    """Path from the root of every category (categories are few: one query)."""
    rows = dict(QuestionCategory.objects.values_list("id", "parent_id"))
    names = dict(QuestionCategory.objects.values_list("id", "name"))
    paths: dict[int, tuple[str, ...]] = {}

    def path(pk: int, seen: frozenset = frozenset()) -> tuple[str, ...]:
        if pk not in paths:
            parent = rows.get(pk)
            prefix = path(parent, seen | {pk}) if parent and parent not in seen else ()
            paths[pk] = (*prefix, names[pk])
        return paths[pk]

    for pk in rows:
        path(pk)
    return paths


def _plain_weight(weight: Decimal | None) -> Decimal | None:
    return None if weight is None else weight.normalize()


def question_data_from_model(question: Question, *, paths: dict[int, tuple[str, ...]]) -> QuestionData:
    """The neutral shape of a stored question (prefetch choices, pairs, numeric_answers,
    text_answers and competences__framework)."""
    common = {
        "type": question.type,
        "text": question.text,
        "category": paths.get(question.category_id, ()),
        "feedback": question.feedback,
        "explanation": question.explanation,
        "level": question.level,
        "competences": tuple(sorted(c.qualified_code for c in question.competences.all())),
        "points": question.default_points.normalize(),
    }
    kind = question.type
    if kind in (T.SINGLE_CHOICE, T.MULTIPLE_CHOICE):
        choices = []
        for c in question.choices.all():
            weight = c.weight
            if kind == T.SINGLE_CHOICE and (c.is_correct or weight == 0):
                weight = None
            choices.append(ChoiceData(c.text, c.is_correct, _plain_weight(weight), c.feedback))
        return QuestionData(**common, choices=tuple(choices))
    if kind == T.TRUE_FALSE:
        right = [c for c in question.choices.all() if c.is_correct]
        return QuestionData(**common, correct=bool(right and right[0].text == "Đúng"))
    if kind == T.ORDERING:
        return QuestionData(**common, items=tuple(c.text for c in question.choices.all()))
    if kind == T.MATCHING:
        return QuestionData(**common, pairs=tuple((p.prompt, p.answer) for p in question.pairs.all()))
    if kind == T.NUMERIC:
        rows = sorted(question.numeric_answers.all(), key=lambda n: (-n.fraction, n.pk))
        return QuestionData(
            **common,
            numeric=tuple(
                (n.value.normalize(), n.tolerance.normalize(), n.fraction.normalize()) for n in rows
            ),
        )
    if kind == T.SHORT_TEXT:
        rows = sorted(question.text_answers.all(), key=lambda t: (-t.fraction, t.pk))
        return QuestionData(**common, accepted=tuple((t.text, t.fraction.normalize()) for t in rows))
    return QuestionData(**common)


def question_create_kwargs(data: QuestionData) -> dict:
    """Arguments of services.question_create for this question (without category and
    competences, which the importer resolves)."""
    kwargs: dict = {
        "type": data.type,
        "text": data.text,
        "level": data.level,
        "points": data.points,
        "feedback": data.feedback,
        "explanation": data.explanation,
    }
    if data.type in (T.SINGLE_CHOICE, T.MULTIPLE_CHOICE):
        kwargs["choices"] = [
            {"text": c.text, "correct": c.correct, "weight": c.weight, "feedback": c.feedback}
            for c in data.choices
        ]
    elif data.type == T.TRUE_FALSE:
        kwargs["correct"] = data.correct
    elif data.type == T.ORDERING:
        kwargs["items"] = list(data.items)
    elif data.type == T.MATCHING:
        kwargs["pairs"] = list(data.pairs)
    elif data.type == T.NUMERIC:
        kwargs["numeric"] = list(data.numeric)
    elif data.type == T.SHORT_TEXT:
        kwargs["accepted"] = [(text, fraction) for text, fraction in data.accepted]
    return kwargs


def default_share_weights(choices: tuple[ChoiceData, ...]) -> tuple[ChoiceData, ...]:
    """Multiple choice read from a file that spells out weights: if they are the equal
    shares (+1/k for the k right options, −1/w for the w wrong ones, to 4 decimals),
    store them as "default" (None), as the question was written here."""
    k = sum(c.correct for c in choices)
    w = len(choices) - k
    if not k or any(c.weight is None for c in choices):
        return choices
    tolerance = Decimal("0.0002")
    for c in choices:
        expected = Decimal(1) / k if c.correct else (Decimal(-1) / w if w else Decimal(0))
        if abs(c.weight - expected) > tolerance:
            return choices
    return tuple(ChoiceData(c.text, c.correct, None, c.feedback) for c in choices)


def weight_from_percent(raw: str) -> Decimal:
    """Moodle's "33.33333" (percent) → Decimal("0.3333") (the model keeps 4 decimals)."""
    return (Decimal(raw.strip()) / 100).quantize(Decimal("0.0001"))


def percent(weight: Decimal) -> str:
    """Decimal("0.3333") → "33.33"; 1/3 shares are written as Moodle writes them."""
    value = (weight * 100).quantize(Decimal("0.00001")).normalize()
    return format(value, "f")
