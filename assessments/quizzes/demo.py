"""The demo question bank, from the JSON files in assessments/quizzes/demo_content/.

`demo_quizzes_create()` is idempotent and goes through the same services editors use
(category_create, question_create): categories are found by name under the demo root,
questions by their category and text (any version, so a question an editor revised is
not added back). Competence tags are qualified codes ("digcomp-2.2:4.2"); the frameworks
must be loaded first (assessments.demo.demo_frameworks_load) — a code that is not found
is reported in the result, never guessed.
"""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from assessments.models import QUALIFIER, Competence

from .models import Question, QuestionCategory
from .services import category_create, question_create

DEMO_DIR = Path(__file__).resolve().parent / "demo_content"
ROOT_CATEGORY = "Kỹ năng số cơ bản"
ROOT_DESCRIPTION = "Câu hỏi mẫu về năm kỹ năng số cơ bản cho người dân."


def demo_bank_files(*, directory: Path | None = None) -> list[dict[str, Any]]:
    """The demo files' contents, in file-name order."""
    directory = directory or DEMO_DIR
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))]


def _category(name: str, parent: QuestionCategory | None, description: str) -> tuple[QuestionCategory, bool]:
    existing = QuestionCategory.objects.filter(name=name, parent=parent).first()
    if existing is not None:
        return existing, False
    return category_create(name=name, parent=parent, description=description), True


def _competences(codes: list[str], missing: set[str]) -> list[Competence]:
    found = []
    for code in codes:
        framework_code, _sep, competence_code = code.partition(QUALIFIER)
        competence = Competence.objects.filter(framework__code=framework_code, code=competence_code).first()
        if competence is None:
            missing.add(code)
        else:
            found.append(competence)
    return found


def _key_arguments(spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec["type"]
    if kind in (Question.Type.SINGLE_CHOICE, Question.Type.MULTIPLE_CHOICE):
        return {"choices": spec["choices"]}
    if kind == Question.Type.TRUE_FALSE:
        return {"correct": bool(spec["correct"])}
    if kind == Question.Type.MATCHING:
        return {"pairs": [tuple(pair) for pair in spec["pairs"]]}
    if kind == Question.Type.ORDERING:
        return {"items": spec["items"]}
    if kind == Question.Type.NUMERIC:
        return {"numeric": [tuple(Decimal(str(x)) for x in entry) for entry in spec["numeric"]]}
    if kind == Question.Type.SHORT_TEXT:
        return {
            "accepted": [
                entry if isinstance(entry, str) else (entry[0], Decimal(str(entry[1])))
                for entry in spec["accepted"]
            ]
        }
    raise ValueError(f"Unknown question type {kind!r}")


def demo_category_get(*, name: str) -> QuestionCategory | None:
    """A demo category (under the demo root) by name."""
    return QuestionCategory.objects.filter(name=name, parent__name=ROOT_CATEGORY, parent__parent=None).first()


@transaction.atomic
def demo_quizzes_create(*, directory: Path | None = None) -> dict:
    """Load the demo question bank: a root category, one category per file and its
    questions. Returns counts of what was created and what existed, and the competence
    codes that were not found."""
    counts: dict[str, Any] = {
        "categories_created": 0,
        "questions_created": 0,
        "questions_existing": 0,
        "competences_missing": [],
    }
    missing: set[str] = set()
    root, created = _category(ROOT_CATEGORY, None, ROOT_DESCRIPTION)
    counts["categories_created"] += int(created)
    for data in demo_bank_files(directory=directory):
        category, created = _category(data["category"], root, data.get("description", ""))
        counts["categories_created"] += int(created)
        known = set(Question.objects.filter(category=category).values_list("text", flat=True))
        for spec in data["questions"]:
            text = spec["text"].strip()
            if text in known:
                counts["questions_existing"] += 1
                continue
            question_create(
                category=category,
                type=spec["type"],
                text=text,
                level=int(spec.get("level", 1)),
                points=Decimal(str(spec.get("points", "1"))),
                feedback=spec.get("feedback", ""),
                explanation=spec.get("explanation", ""),
                competences=_competences(spec.get("competences", []), missing),
                **_key_arguments(spec),
            )
            known.add(text)
            counts["questions_created"] += 1
    counts["competences_missing"] = sorted(missing)
    return counts
