"""Reading the attempt page's form (no JavaScript) into answers for responses_save.

Field names, per question id `Q`:
- single choice, true/false: `qQ` = choice id (radio)
- multiple choice: `qQ` = choice ids (checkboxes); `qQ_shown` marks the question as on
  the form, so unticking every box saves an empty answer
- matching: `qQ_pP` = index of the offered answer for prompt P (select, "" = none)
- ordering: `qQ_oC` = position 1…n given to item C (select)
- numeric, short text: `qQ` = the typed text

Only the shape is read here; whether an answer fits the question is the service's job.
"""

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict

from .models import Attempt, Question

Type = Question.Type


def _int(value: str | None) -> int | str | None:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        return value  # the service refuses it with a message


def answers_from_form(*, attempt: Attempt, types: Mapping[int, str], data: QueryDict) -> dict[int, Any]:
    """{question id: answer} for every question of the paper the form says something about."""
    answers: dict[int, Any] = {}
    for item in attempt.layout:
        pk = item["question"]
        kind = types.get(pk)
        name = f"q{pk}"
        if kind in (Type.SINGLE_CHOICE, Type.TRUE_FALSE):
            if name in data:
                answers[pk] = {"choice": _int(data.get(name))}
        elif kind == Type.MULTIPLE_CHOICE:
            if name in data or f"{name}_shown" in data:
                answers[pk] = {"choices": [_int(v) for v in data.getlist(name) if v.strip()]}
        elif kind == Type.MATCHING:
            pairs = {}
            for prompt in item.get("prompts", []):
                value = _int(data.get(f"{name}_p{prompt}"))
                if value is not None:
                    pairs[str(prompt)] = value
            if pairs:
                answers[pk] = {"pairs": pairs}
        elif kind == Type.ORDERING:
            options = item.get("options", [])
            positions = {c: _int(data.get(f"{name}_o{c}")) for c in options}
            if any(isinstance(p, int) for p in positions.values()):
                # Items without a valid position go last, in the order shown.
                big = len(options) + 1
                ranked = sorted(
                    range(len(options)),
                    key=lambda i: (p if isinstance(p := positions[options[i]], int) else big, i),
                )
                answers[pk] = {"order": [options[i] for i in ranked]}
        elif kind == Type.NUMERIC:
            if name in data:
                answers[pk] = {"value": data.get(name, "")}
        elif kind == Type.SHORT_TEXT:
            if name in data:
                answers[pk] = {"text": data.get(name, "")}
    return answers
