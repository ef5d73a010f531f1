"""Loading a self-assessment instrument from its versioned JSON file (`load_selfassessment`).

The file holds the instrument's metadata, its answer scale, its steps (one per area),
its items (each tagged with a qualified competence code and the level it evidences) and
its scoring rules (see assessments.scoring and docs/competence-scoring.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .loading import DATA_DIR, LoadError, LoadReport, sync_object
from .models import QUALIFIER, Competence, Framework, Instrument, Item, Option

DEFAULT_FILE = DATA_DIR / "selfassessment_digcomp_v1.json"
REQUIRED_KEYS = {"code", "version", "framework", "title_vi", "scale", "steps", "scoring", "items"}
REQUIRED_RULES = {"competence_bands", "evidence_levels", "area_skill_levels", "overall_areas", "overall"}


def _competences_by_code() -> dict[str, Competence]:
    return {c.qualified_code: c for c in Competence.objects.select_related("framework")}


@transaction.atomic
def selfassessment_load(*, path: Path = DEFAULT_FILE) -> LoadReport:
    """Load (or update) one instrument version from `path`.

    Rules: keyed by (code, version), items by code, options by code, so a second run
    changes nothing; every item must name a loaded competence and a step of the file, a
    knowledge check exactly one right option: otherwise nothing is loaded (LoadError
    lists every problem). The loaded version becomes the current one of its code.
    """
    if not path.exists():
        raise LoadError(_("Không tìm thấy tệp %(path)s.") % {"path": path})
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise LoadError(
            _("Tệp %(path)s không phải JSON hợp lệ: %(err)s") % {"path": path.name, "err": exc}
        ) from exc
    missing = REQUIRED_KEYS - set(data)
    if missing:
        raise LoadError(_("Tệp thiếu khóa: %(keys)s.") % {"keys": ", ".join(sorted(missing))})
    missing = REQUIRED_RULES - set(data["scoring"])
    if missing:
        raise LoadError(_("Quy tắc tính điểm thiếu khóa: %(keys)s.") % {"keys": ", ".join(sorted(missing))})
    framework = Framework.objects.filter(code=data["framework"]).first()
    if framework is None:
        raise LoadError(
            _("Chưa có khung năng lực “%(code)s”: hãy chạy load_frameworks trước.")
            % {"code": data["framework"]}
        )
    competences = _competences_by_code()
    steps = {step["code"] for step in data["steps"]}
    problems: list[str] = []
    for number, raw in enumerate(data["items"], start=1):
        where = f"{number} ({raw.get('code', '?')})"
        if raw.get("competence") not in competences:
            problems.append(
                _("Câu %(where)s: không có năng lực “%(code)s”.")
                % {"where": where, "code": raw.get("competence")}
            )
        if raw.get("step") not in steps:
            problems.append(
                _("Câu %(where)s: không có bước “%(step)s”.") % {"where": where, "step": raw.get("step")}
            )
        if raw.get("kind") == "knowledge":
            right = [o for o in raw.get("options", []) if o.get("correct")]
            if len(right) != 1:
                problems.append(
                    _("Câu %(where)s: câu kiểm tra hiểu biết phải có đúng một đáp án đúng.")
                    % {"where": where}
                )
        elif raw.get("kind") != "self":
            problems.append(
                _("Câu %(where)s: loại “%(kind)s” không rõ.") % {"where": where, "kind": raw.get("kind")}
            )
        if not 0 <= int(raw.get("level", -1)) <= 8:
            problems.append(_("Câu %(where)s: bậc phải từ 0 đến 8.") % {"where": where})
    if problems:
        raise LoadError("\n".join(problems))

    report = LoadReport()
    try:
        instrument = sync_object(
            Instrument,
            label=_("bộ công cụ tự đánh giá"),
            key={"code": data["code"], "version": str(data["version"])},
            values={
                "framework": framework,
                "title_vi": data["title_vi"],
                "title_en": data.get("title_en", ""),
                "description_vi": data.get("description_vi", ""),
                "description_en": data.get("description_en", ""),
                "steps": data["steps"],
                "scale": data["scale"],
                "scoring": data["scoring"],
                "is_current": True,
            },
            report=report,
        )
        for ordering, raw in enumerate(data["items"], start=1):
            item = sync_object(
                Item,
                label=_("câu tự đánh giá"),
                key={"instrument": instrument, "code": raw["code"]},
                values={
                    "step": raw["step"],
                    "kind": raw["kind"],
                    "competence": competences[raw["competence"]],
                    "level": int(raw["level"]),
                    "text_vi": raw["text_vi"],
                    "text_en": raw.get("text_en", ""),
                    "ordering": ordering,
                },
                report=report,
            )
            if raw["kind"] == "self":
                options = [
                    {
                        "code": s["code"],
                        "text_vi": s["text_vi"],
                        "text_en": s.get("text_en", ""),
                        "value": int(s["value"]),
                        "is_correct": False,
                    }
                    for s in data["scale"]
                ]
            else:
                options = [
                    {
                        "code": o["code"],
                        "text_vi": o["text_vi"],
                        "text_en": o.get("text_en", ""),
                        "value": 0,
                        "is_correct": bool(o.get("correct")),
                    }
                    for o in raw["options"]
                ]
            for position, option in enumerate(options, start=1):
                code = option.pop("code")
                sync_object(
                    Option,
                    label=_("lựa chọn"),
                    key={"item": item, "code": code},
                    values={**option, "ordering": position},
                    report=report,
                )
    except ValidationError as exc:
        raise LoadError("; ".join(exc.messages)) from exc
    Instrument.objects.filter(code=instrument.code).exclude(pk=instrument.pk).update(is_current=False)
    return report


def area_code_of(competence: Competence) -> str:
    """The qualified code of a competence's area (`digcomp-2.2:1`)."""
    return f"{competence.framework.code}{QUALIFIER}{competence.area.code}"
