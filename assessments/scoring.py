"""Scoring a self-assessment: pure functions over the rules stored with the instrument.

The rules are data (`scoring` in assessments/data/selfassessment_*.json, copied to
`Instrument.scoring`) and are explained in docs/competence-scoring.md. In short:

1. An item's points: a "can you do this?" item scores value / max value × 100 on the
   4-point scale (0, 33.3, 66.7, 100); a knowledge check scores 100 if the right option
   was chosen, else 0. Unanswered items are left out.
2. A competence's score is the mean of its items' points, rounded to `round_to` decimals;
   its band (Foundation / Intermediate / Advanced) and the evidence level it writes are
   read from the threshold tables (`competence_bands`, `evidence_levels`): the last row
   whose `min` is at most the score.
3. An area's score is the mean of its competences' scores; its skill level (none / basic /
   above basic) comes from `area_skill_levels`.
4. Overall (Eurostat DSI 2.0 style, over `overall_areas` only): above basic in all of
   them → "above_basic"; otherwise by the number of areas at least basic
   (`by_areas_at_least_basic`: 5 basic, 4 low, 3 narrow, 1–2 limited, 0 none).
   Areas outside `overall_areas` (TT02's AI area) are scored and reported beside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

OVERALL_ORDER = ["none", "limited", "narrow", "low", "basic", "above_basic"]
BAND_ORDER = ["foundation", "intermediate", "advanced"]
AREA_SKILL_ORDER = ["none", "basic", "above_basic"]


@dataclass(frozen=True)
class ScoredItem:
    code: str
    competence: str  # qualified code, "digcomp-2.2:1.1"
    area: str  # qualified area code, "digcomp-2.2:1"
    points: float | None  # None: not answered


def item_points(
    *, kind: str, value: int | None = None, scale_max: int = 3, correct: bool | None = None, rules: dict
) -> float | None:
    """Points of one answer (see the module docstring, rule 1)."""
    if kind == "knowledge":
        if correct is None:
            return None
        key = "correct" if correct else "wrong"
        return float(rules.get("knowledge_points", {}).get(key, 100 if correct else 0))
    if value is None:
        return None
    if scale_max <= 0 or not 0 <= value <= scale_max:
        raise ValueError(f"value {value} outside 0..{scale_max}")
    return value * 100 / scale_max


def threshold(table: Iterable[dict], score: float) -> dict:
    """The last row of `table` (sorted by `min`) whose `min` is at most `score`."""
    rows = sorted(table, key=lambda row: row["min"])
    chosen = rows[0]
    for row in rows:
        if score >= row["min"]:
            chosen = row
    return chosen


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def score_items(*, rules: dict, items: Iterable[ScoredItem]) -> dict:
    """Scores per competence and area and the overall class; a JSON-ready dict."""
    digits = int(rules.get("round_to", 1))
    by_competence: dict[str, list[float]] = {}
    area_of: dict[str, str] = {}
    for item in items:
        area_of[item.competence] = item.area
        bucket = by_competence.setdefault(item.competence, [])
        if item.points is not None:
            bucket.append(item.points)

    competences: dict[str, dict] = {}
    for code, points in by_competence.items():
        mean = _mean(points)
        if mean is None:
            competences[code] = {
                "score": None,
                "band": None,
                "level": None,
                "answered": 0,
                "area": area_of[code],
            }
            continue
        score = round(mean, digits)
        competences[code] = {
            "score": score,
            "band": threshold(rules["competence_bands"], score)["code"],
            "level": threshold(rules["evidence_levels"], score)["level"],
            "answered": len(points),
            "area": area_of[code],
        }

    areas: dict[str, dict] = {}
    for result in competences.values():
        areas.setdefault(result["area"], {"scores": []})
        if result["score"] is not None:
            areas[result["area"]]["scores"].append(result["score"])
    for data in areas.values():
        mean = _mean(data.pop("scores"))
        data["score"] = None if mean is None else round(mean, digits)
        data["skill"] = (
            "none" if mean is None else threshold(rules["area_skill_levels"], data["score"])["code"]
        )

    overall_areas = rules["overall_areas"]
    skills = [areas.get(code, {}).get("skill", "none") for code in overall_areas]
    at_least_basic = sum(1 for skill in skills if skill in ("basic", "above_basic"))
    if skills and all(skill == "above_basic" for skill in skills):
        overall = rules["overall"]["all_above_basic"]["code"]
    else:
        overall = threshold(rules["overall"]["by_areas_at_least_basic"], at_least_basic)["code"]
    return {
        "scoring_version": str(rules.get("version", "")),
        "competences": competences,
        "areas": areas,
        "overall": overall,
        "areas_at_least_basic": at_least_basic,
        "overall_areas": list(overall_areas),
    }


def label(table: Iterable[dict], code: str | None, language: str = "vi") -> str:
    """The label of `code` in a rules table, in the page's language."""
    for row in table:
        if row.get("code") == code:
            if language.startswith("en") and row.get("label_en"):
                return row["label_en"]
            return row.get("label_vi", code)
    return code or ""


def overall_label(rules: dict, code: str, language: str = "vi") -> str:
    rows = [rules["overall"]["all_above_basic"], *rules["overall"]["by_areas_at_least_basic"]]
    return label(rows, code, language)
