"""Loading the shipped competence frameworks (see `frameworks_load`).

Four CSV files in `assessments/data/` describe them, all editable data:
`frameworks.csv` (one row per framework), `digital_competence_frameworks.csv` (areas and
competences), `proficiency_levels.csv` (8 levels each) and `crosswalk_tt02_digcomp.csv`
(pairs established by comparing the two frameworks' titles; TT02's AI area has none).
The loader keys everything by natural key (framework code, then area, competence or
level code), creates what is missing, updates what differs, leaves alone what is in the
database but not in the files, and reports each count and every row it could not use.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from .models import Competence, CompetenceMapping, Framework, FrameworkArea, ProficiencyLevel

DATA_DIR = Path(__file__).resolve().parent / "data"
FRAMEWORKS_FILE = "frameworks.csv"
COMPETENCES_FILE = "digital_competence_frameworks.csv"
LEVELS_FILE = "proficiency_levels.csv"
CROSSWALK_FILE = "crosswalk_tt02_digcomp.csv"

COLUMNS = {
    FRAMEWORKS_FILE: {"code", "version", "title_vi", "title_en", "publisher", "source", "language", "status"},
    COMPETENCES_FILE: {"framework", "code", "parent_code", "kind", "title_en", "title_vi"},
    LEVELS_FILE: {"framework", "ordinal", "code", "band_en", "band_vi", "descriptor_en"},
    CROSSWALK_FILE: {
        "source_framework", "source_code", "target_framework", "target_code", "relation", "note",
    },
}


class LoadError(Exception):
    """The files cannot be loaded at all (missing file, wrong columns)."""


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    changed: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    not_in_file: Counter = field(default_factory=Counter)
    unmatched: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.changed.values()))

    @property
    def labels(self) -> list[str]:
        return list(dict.fromkeys([*self.created, *self.changed, *self.unchanged]))


def read_csv(path: Path, columns: set[str]) -> list[dict[str, str]]:
    if not path.exists():
        raise LoadError(_("Không tìm thấy tệp %(path)s.") % {"path": path})
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = columns - set(reader.fieldnames or [])
        if missing:
            raise LoadError(
                _("Tệp %(path)s thiếu cột: %(cols)s.")
                % {"path": path.name, "cols": ", ".join(sorted(missing))}
            )
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def sync_object(
    model: type[models.Model], *, label: str, key: dict, values: dict, report: LoadReport
) -> models.Model:
    """Find `model` by `key`; create it, or write the `values` that differ. Validated."""
    obj = model.objects.filter(**key).first()
    if obj is None:
        obj = model(**key, **values)
        obj.full_clean()
        obj.save()
        report.created[label] += 1
        return obj
    diff = [name for name, value in values.items() if getattr(obj, name) != value]
    if diff:
        for name in diff:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()
        report.changed[label] += 1
    else:
        report.unchanged[label] += 1
    return obj


@transaction.atomic
def frameworks_load(*, data_dir: Path = DATA_DIR) -> LoadReport:
    """Load the shipped frameworks, their areas, competences, levels and crosswalk.

    Rules: idempotent (a second run creates and changes nothing); keyed by codes, never
    by database ids; a row naming an unknown framework, parent area or competence, or
    failing validation, is reported and skipped, never guessed; rows in the database
    that the files do not mention are kept and counted. All or nothing on a crash.
    """
    report = LoadReport()
    files = {name: read_csv(data_dir / name, cols) for name, cols in COLUMNS.items()}

    frameworks: dict[str, Framework] = {}
    label = _("khung năng lực")
    for number, row in enumerate(files[FRAMEWORKS_FILE], start=2):
        values = {k: row[k] for k in ("version", "title_vi", "title_en", "publisher", "source", "language")}
        values["status"] = row["status"] or Framework.Status.PUBLISHED
        try:
            frameworks[row["code"]] = sync_object(
                Framework, label=label, key={"code": row["code"]}, values=values, report=report
            )
        except ValidationError as exc:
            report.unmatched.append(_row_error(FRAMEWORKS_FILE, number, exc))

    def framework_of(file: str, number: int, code: str) -> Framework | None:
        fw = frameworks.get(code)
        if fw is None:
            report.unmatched.append(
                _("%(file)s, dòng %(n)s: không có khung năng lực “%(code)s”.")
                % {"file": file, "n": number, "code": code}
            )
        return fw

    rows = files[COMPETENCES_FILE]
    areas: dict[tuple[str, str], FrameworkArea] = {}
    competences: dict[tuple[str, str], Competence] = {}
    order: Counter = Counter()
    label_area, label_comp = _("miền năng lực"), _("năng lực")
    for number, row in enumerate(rows, start=2):
        if row["kind"] != "area":
            continue
        fw = framework_of(COMPETENCES_FILE, number, row["framework"])
        if fw is None:
            continue
        order[fw.code, "area"] += 1
        try:
            areas[fw.code, row["code"]] = sync_object(
                FrameworkArea, label=label_area, key={"framework": fw, "code": row["code"]},
                values={"title_vi": row["title_vi"], "title_en": row["title_en"],
                        "ordering": order[fw.code, "area"]},
                report=report,
            )
        except ValidationError as exc:
            report.unmatched.append(_row_error(COMPETENCES_FILE, number, exc))
    for number, row in enumerate(rows, start=2):
        if row["kind"] == "area":
            continue
        if row["kind"] != "competence":
            report.unmatched.append(
                _("%(file)s, dòng %(n)s: loại “%(kind)s” không rõ (chỉ nhận area, competence).")
                % {"file": COMPETENCES_FILE, "n": number, "kind": row["kind"]}
            )
            continue
        fw = framework_of(COMPETENCES_FILE, number, row["framework"])
        if fw is None:
            continue
        area = areas.get((fw.code, row["parent_code"]))
        if area is None:
            report.unmatched.append(
                _("%(file)s, dòng %(n)s: năng lực %(code)s thuộc miền “%(parent)s” không có trong tệp.")
                % {"file": COMPETENCES_FILE, "n": number, "code": row["code"], "parent": row["parent_code"]}
            )
            continue
        order[fw.code, area.code] += 1
        try:
            competences[fw.code, row["code"]] = sync_object(
                Competence, label=label_comp, key={"framework": fw, "code": row["code"]},
                values={"area": area, "title_vi": row["title_vi"], "title_en": row["title_en"],
                        "ordering": order[fw.code, area.code]},
                report=report,
            )
        except ValidationError as exc:
            report.unmatched.append(_row_error(COMPETENCES_FILE, number, exc))

    label_level = _("trình độ")
    levels: set[int] = set()
    for number, row in enumerate(files[LEVELS_FILE], start=2):
        fw = framework_of(LEVELS_FILE, number, row["framework"])
        if fw is None:
            continue
        try:
            ordinal = int(row["ordinal"])
            level = sync_object(
                ProficiencyLevel, label=label_level, key={"framework": fw, "ordinal": ordinal},
                values={"code": row["code"], "band_vi": row["band_vi"], "band_en": row["band_en"],
                        "descriptor_en": row["descriptor_en"],
                        **({"descriptor_vi": row["descriptor_vi"]} if "descriptor_vi" in row else {})},
                report=report,
            )
            levels.add(level.pk)
        except ValueError:
            report.unmatched.append(
                _("%(file)s, dòng %(n)s: bậc “%(v)s” không phải số.")
                % {"file": LEVELS_FILE, "n": number, "v": row["ordinal"]}
            )
        except ValidationError as exc:
            report.unmatched.append(_row_error(LEVELS_FILE, number, exc))

    label_map = _("đối chiếu năng lực")
    mappings: set[int] = set()
    for number, row in enumerate(files[CROSSWALK_FILE], start=2):
        source = competences.get((row["source_framework"], row["source_code"]))
        target = competences.get((row["target_framework"], row["target_code"]))
        if source is None or target is None:
            missing = (
                f"{row['source_framework']}:{row['source_code']}" if source is None
                else f"{row['target_framework']}:{row['target_code']}"
            )
            report.unmatched.append(
                _("%(file)s, dòng %(n)s: không có năng lực %(code)s.")
                % {"file": CROSSWALK_FILE, "n": number, "code": missing}
            )
            continue
        try:
            mapping = sync_object(
                CompetenceMapping, label=label_map,
                key={"source": source, "target": target, "relation": row["relation"]},
                values={"note": row["note"]}, report=report,
            )
            mappings.add(mapping.pk)
        except ValidationError as exc:
            report.unmatched.append(_row_error(CROSSWALK_FILE, number, exc))

    loaded = list(frameworks.values())
    report.not_in_file[label_area] = FrameworkArea.objects.filter(framework__in=loaded).exclude(
        pk__in=[a.pk for a in areas.values()]).count()
    report.not_in_file[label_comp] = Competence.objects.filter(framework__in=loaded).exclude(
        pk__in=[c.pk for c in competences.values()]).count()
    report.not_in_file[label_level] = ProficiencyLevel.objects.filter(framework__in=loaded).exclude(
        pk__in=levels).count()
    report.not_in_file[label_map] = CompetenceMapping.objects.filter(
        source__framework__in=loaded, target__framework__in=loaded).exclude(pk__in=mappings).count()
    return report


def _row_error(file: str, number: int, exc: ValidationError) -> str:
    return _("%(file)s, dòng %(n)s: %(msg)s") % {"file": file, "n": number, "msg": " ".join(exc.messages)}
