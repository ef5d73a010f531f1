"""Loading the official unit list and the 2025 succession table (see `units_load`).

The two CSV files live in `lms/places/data/`. The loader is idempotent: it keys every
unit by natural key (current units by (edition, level, code); legacy communes by their
old code *and* normalised name, because the source gives three old codes to two
communes each) and every succession by (predecessor, successor, kind), creates what is
missing, updates what differs and reports everything else. It uses bulk statements so
that the whole country loads in seconds, on SQLite too.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.core.text import fold, normalise_name

from .models import (
    CURRENT_EDITION,
    LEGACY_EDITION,
    LEGACY_END_DATE,
    REFORM_DATE,
    AdministrativeUnit,
    UnitSuccession,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
UNITS_FILE = DATA_DIR / "vn_admin_units_2025-07.csv"
SUCCESSION_FILE = DATA_DIR / "vn_commune_succession_2025-07.csv"

UNIT_COLUMNS = {"code", "name", "division_type", "level", "parent_code"}
SUCCESSION_COLUMNS = {
    "new_province_code", "new_commune_code", "new_commune_name", "old_commune_code",
    "old_commune_name", "merge", "old_district_code", "old_district_name",
    "old_province_code", "old_province_name", "source_new_code", "note",
}
NO_CODE = "00000"  # the source's placeholder for "no commune before"

Level = AdministrativeUnit.Level
_UNIT_FIELDS = ("name", "division_type", "parent_id", "valid_from", "valid_to", "source_flag")
_SUCCESSION_FIELDS = ("note", "source_new_code", "effective_date", "is_flagged", "flag_reason")

# Name prefixes of the old units, longest first, to fill `division_type` of legacy units.
_PREFIXES = (
    "thành phố trung ương", "thành phố", "thị trấn", "thị xã", "đặc khu", "phường",
    "huyện", "quận", "tỉnh", "xã",
)


class LoadError(Exception):
    """The files cannot be loaded at all (missing file, wrong columns)."""


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    changed: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    quirks: Counter = field(default_factory=Counter)
    unmatched: list[str] = field(default_factory=list)
    not_in_file: Counter = field(default_factory=Counter)

    @property
    def changed_anything(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.changed.values()))


def _division_type(name: str) -> str:
    low = normalise_name(name)
    for prefix in _PREFIXES:
        if low.startswith(prefix + " ") or low == prefix:
            return prefix
    return ""


def _read(path: Path, columns: set[str]) -> list[dict[str, str]]:
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
        return list(reader)


# --- how two spellings of one name differ (for the report) -----------------------------

_DASH_ONLY = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-"})
_APOS_ONLY = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
_TONE_SWAP = re.compile(r"([ou])([\u0300\u0301\u0309\u0303\u0323])([aey])")


def _tone(text: str) -> str:
    # Keep the input's normalisation form so this step never hides an NFC difference.
    form = "NFC" if unicodedata.is_normalized("NFC", text) else "NFD"
    decomposed = unicodedata.normalize("NFD", text)
    swapped = _TONE_SWAP.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed)
    return unicodedata.normalize(form, swapped)


_STEPS = {
    "nfc": lambda t: unicodedata.normalize("NFC", t),
    "tone": _tone,
    "dash": lambda t: t.translate(_DASH_ONLY),
    "apostrophe": lambda t: t.translate(_APOS_ONLY),
    "spaces": lambda t: re.sub(r"\s+", " ", t).strip(),
    "case": str.casefold,
}


def name_differences(a: str, b: str) -> set[str]:
    """Which normalisation steps are needed to make `a` and `b` equal.

    A step is needed when every other step together does not make them equal.
    """
    if a == b:
        return set()

    def without(skip: str, text: str) -> str:
        text = unicodedata.normalize("NFC", text) if skip != "nfc" else text
        for name, step in _STEPS.items():
            if name not in (skip, "nfc"):
                text = step(text)
        return text

    return {s for s in _STEPS if without(s, a) != without(s, b)}


# --- the loader -------------------------------------------------------------------------


def _sync_units(
    *, label: str, desired: dict, existing: dict, report: LoadReport
) -> dict:
    """Create the missing units of `desired` and update those that differ (bulk)."""
    to_create, to_update, changed_fields = [], [], set()
    for key, fields in desired.items():
        unit = existing.get(key)
        if unit is None:
            unit = AdministrativeUnit(**fields)
            unit.name_folded = fold(unit.name)[:255]
            to_create.append((key, unit))
            continue
        diff = [f for f in _UNIT_FIELDS if f in fields and getattr(unit, f) != fields[f]]
        if diff:
            for f in diff:
                setattr(unit, f, fields[f])
            unit.name_folded = fold(unit.name)[:255]
            changed_fields.update(diff)
            to_update.append(unit)
        else:
            report.unchanged[label] += 1
    if to_create:
        AdministrativeUnit.objects.bulk_create([u for _k, u in to_create], batch_size=500)
        for key, unit in to_create:
            existing[key] = unit
        report.created[label] += len(to_create)
    if to_update:
        AdministrativeUnit.objects.bulk_update(
            to_update, sorted(changed_fields | {"name_folded", "updated_at"}), batch_size=500
        )
        report.changed[label] += len(to_update)
    report.not_in_file[label] += len(set(existing) - set(desired))
    return existing


def _set_paths(units_by_level: list[list[AdministrativeUnit]]) -> int:
    """Fill `path` top down, level by level; only rows whose path is wrong are written.

    One UPDATE per 500 rows that copies the parent's path in SQL, rather than a CASE
    with one branch per row (which is what makes bulk_update slow).
    """
    paths: dict[int, str] = {}
    written = 0
    for units in units_by_level:
        stale_roots, stale_children = [], []
        for unit in units:
            parent_path = paths.get(unit.parent_id, "/") if unit.parent_id else "/"
            expected = f"{parent_path}{unit.pk}/"
            paths[unit.pk] = expected
            if unit.path != expected:
                unit.path = expected
                (stale_children if unit.parent_id else stale_roots).append(unit.pk)
        own_id = Cast("pk", output_field=CharField())
        parent_path = Subquery(AdministrativeUnit.objects.filter(pk=OuterRef("parent_id")).values("path")[:1])
        for ids, prefix in ((stale_roots, Value("/")), (stale_children, parent_path)):
            for start in range(0, len(ids), 500):
                written += AdministrativeUnit.objects.filter(pk__in=ids[start:start + 500]).update(
                    path=Concat(prefix, own_id, Value("/"), output_field=CharField())
                )
    return written


def _majority(counter: Counter) -> str:
    return counter.most_common(1)[0][0]


@transaction.atomic
def units_load(*, units_file: Path = UNITS_FILE, succession_file: Path = SUCCESSION_FILE) -> LoadReport:
    """Load the current unit list, the legacy units and the 2025 successions.

    Rules: idempotent (a second run creates and changes nothing); units are matched by
    natural key, never by a code across editions; a new commune in the succession table
    is found by province and *normalised name* (its code in the source was reassigned
    for 123 communes: the source code is kept in `source_new_code`), falling back to the
    code with a flag; rows that cannot be matched are reported, never guessed. Names are
    stored as the source spells them (normalised only to match).
    """
    report = LoadReport()
    unit_rows = _read(units_file, UNIT_COLUMNS)
    succession_rows = _read(succession_file, SUCCESSION_COLUMNS)

    # 1. Current provinces and communes -------------------------------------------------
    existing_current = {
        (u.level, u.code): u
        for u in AdministrativeUnit.objects.filter(
            edition=CURRENT_EDITION, level__in=[Level.PROVINCE, Level.COMMUNE]
        ).exclude(code="")
    }
    provinces_existing = {k: u for k, u in existing_current.items() if k[0] == Level.PROVINCE}
    communes_existing = {k: u for k, u in existing_current.items() if k[0] == Level.COMMUNE}

    base = {"edition": CURRENT_EDITION, "valid_from": REFORM_DATE, "valid_to": None, "source_flag": ""}
    desired_provinces = {}
    for row in unit_rows:
        if row["level"] == Level.PROVINCE:
            desired_provinces[(Level.PROVINCE, row["code"])] = {
                **base, "level": Level.PROVINCE, "code": row["code"], "name": row["name"],
                "division_type": row["division_type"], "parent_id": None,
            }
    provinces = _sync_units(
        label=_("tỉnh, thành phố"), desired=desired_provinces, existing=provinces_existing, report=report
    )
    desired_communes = {}
    for number, row in enumerate(unit_rows, start=2):
        if row["level"] == Level.PROVINCE:
            continue
        parent = provinces.get((Level.PROVINCE, row["parent_code"]))
        if row["level"] != Level.COMMUNE or parent is None:
            report.unmatched.append(
                _("Danh mục, dòng %(n)s: %(name)s — cấp hoặc mã tỉnh không hợp lệ.")
                % {"n": number, "name": row["name"]}
            )
            continue
        desired_communes[(Level.COMMUNE, row["code"])] = {
            **base, "level": Level.COMMUNE, "code": row["code"], "name": row["name"],
            "division_type": row["division_type"], "parent_id": parent.pk,
        }
    communes = _sync_units(
        label=_("xã, phường, đặc khu"), desired=desired_communes, existing=communes_existing, report=report
    )
    province_code_of = {u.pk: code for (_lvl, code), u in provinces.items()}
    communes_by_name: dict[tuple[str, str], AdministrativeUnit] = {}
    for unit in communes.values():
        communes_by_name[(province_code_of.get(unit.parent_id, ""), normalise_name(unit.name))] = unit

    # 2. Legacy provinces, districts, communes -----------------------------------------
    province_names: dict[str, Counter] = defaultdict(Counter)
    district_names: dict[str, Counter] = defaultdict(Counter)
    district_provinces: dict[str, Counter] = defaultdict(Counter)
    commune_names: dict[tuple[str, str], Counter] = defaultdict(Counter)
    commune_district: dict[tuple[str, str], str] = {}
    names_by_old_code: dict[str, set[str]] = defaultdict(set)
    for row in succession_rows:
        province_names[row["old_province_code"]][row["old_province_name"]] += 1
        district_names[row["old_district_code"]][row["old_district_name"]] += 1
        district_provinces[row["old_district_code"]][row["old_province_code"]] += 1
        if row["old_commune_name"].strip():
            key = (
                "" if row["old_commune_code"] == NO_CODE else row["old_commune_code"],
                normalise_name(row["old_commune_name"]),
            )
            commune_names[key][row["old_commune_name"]] += 1
            commune_district.setdefault(key, row["old_district_code"])
            names_by_old_code[row["old_commune_code"]].add(key[1])
    duplicate_codes = {c for c, names in names_by_old_code.items() if len(names) > 1 and c != NO_CODE}

    legacy = AdministrativeUnit.objects.filter(edition=LEGACY_EDITION)
    legacy_existing: dict[str, dict] = {Level.PROVINCE: {}, Level.DISTRICT: {}, Level.COMMUNE: {}}
    for unit in legacy.filter(level__in=list(legacy_existing)):
        key = (unit.code, normalise_name(unit.name)) if unit.level == Level.COMMUNE else unit.code
        legacy_existing[unit.level][key] = unit

    lbase = {"edition": LEGACY_EDITION, "valid_from": None, "valid_to": LEGACY_END_DATE}
    desired = {}
    for code, names in province_names.items():
        flag = ""
        if len(names) > 1:
            report.quirks["legacy_province_two_names"] += 1
            flag = _("Nguồn ghi hai tên: %(names)s") % {"names": " / ".join(names)}
        name = _majority(names)
        desired[code] = {**lbase, "level": Level.PROVINCE, "code": code, "name": name,
                         "division_type": _division_type(name), "parent_id": None, "source_flag": flag}
    old_provinces = _sync_units(
        label=_("tỉnh cũ"), desired=desired, existing=legacy_existing[Level.PROVINCE], report=report
    )
    desired = {}
    for code, names in district_names.items():
        flag = ""
        if len(district_provinces[code]) > 1:
            report.quirks["legacy_district_two_provinces"] += 1
            flag = _("Nguồn xếp huyện này vào hai tỉnh: %(codes)s") % {
                "codes": ", ".join(sorted(district_provinces[code]))
            }
        if len({normalise_name(n) for n in names}) < len(names):
            report.quirks["legacy_district_name_case"] += 1
        name = _majority(names)
        desired[code] = {**lbase, "level": Level.DISTRICT, "code": code, "name": name,
                         "division_type": _division_type(name),
                         "parent_id": old_provinces[_majority(district_provinces[code])].pk,
                         "source_flag": flag}
    old_districts = _sync_units(
        label=_("quận, huyện cũ"), desired=desired, existing=legacy_existing[Level.DISTRICT], report=report
    )
    desired = {}
    for key, names in commune_names.items():
        code, _norm = key
        flag = ""
        if code in duplicate_codes:
            flag = _("Mã cũ %(code)s được nguồn dùng cho hai xã khác tên") % {"code": code}
        elif not code:
            flag = _("Nguồn ghi mã 00000: không có xã trước đó")
        name = _majority(names)
        desired[key] = {**lbase, "level": Level.COMMUNE, "code": code, "name": name,
                        "division_type": _division_type(name),
                        "parent_id": old_districts[commune_district[key]].pk, "source_flag": flag}
    old_communes = _sync_units(
        label=_("xã, phường, thị trấn cũ"), desired=desired, existing=legacy_existing[Level.COMMUNE],
        report=report,
    )
    report.quirks["duplicate_old_code"] = len(duplicate_codes)
    report.quirks["duplicate_old_code_units"] = sum(1 for k in old_communes if k[0] in duplicate_codes)

    _set_paths(
        [
            list(provinces.values()), list(communes.values()), list(old_provinces.values()),
            list(old_districts.values()), list(old_communes.values()),
        ],
    )

    # 3. Successions ---------------------------------------------------------------------
    existing_succ = {
        (s.predecessor_id, s.successor_id, s.kind): s
        for s in UnitSuccession.objects.filter(
            kind__in=[UnitSuccession.Kind.WHOLE, UnitSuccession.Kind.PARTIAL]
        )
    }
    desired_succ: dict[tuple[int, int, str], dict] = {}
    reassigned: set[int] = set()
    spelling: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for number, row in enumerate(succession_rows, start=2):
        flags = []
        prov = row["new_province_code"]
        raw = row["new_commune_name"]
        successor = communes_by_name.get((prov, normalise_name(raw)))
        if successor is None and re.match(r"(?i)^xa\s", raw.strip()):
            fixed = "Xã " + raw.strip()[3:]
            successor = communes_by_name.get((prov, normalise_name(fixed)))
            if successor is not None:
                report.quirks["xa_spelling"] += 1
                flags.append(_("Nguồn viết “Xa” thay cho “Xã”"))
                raw = fixed
        if successor is None:
            successor = communes.get((Level.COMMUNE, row["new_commune_code"]))
            if successor is not None:
                report.quirks["matched_by_code_only"] += 1
                flags.append(_("Chỉ khớp được theo mã, không theo tên"))
        if successor is None:
            report.unmatched.append(
                _("Bảng kế thừa, dòng %(n)s: không tìm thấy “%(name)s” (mã %(code)s) trong tỉnh %(prov)s.")
                % {"n": number, "name": row["new_commune_name"], "code": row["new_commune_code"],
                   "prov": prov}
            )
            continue
        if successor.code != row["new_commune_code"]:
            report.quirks["new_code_column_differs"] += 1
            flags.append(_("Cột mã mới (%(code)s) khác mã danh mục") % {"code": row["new_commune_code"]})
        if row["source_new_code"] and row["source_new_code"] != successor.code:
            reassigned.add(successor.pk)
            flags.append(_("Mã trong nguồn (%(code)s) đã được đổi") % {"code": row["source_new_code"]})
        for step in name_differences(raw, successor.name):
            spelling[step].add((raw, successor.name))

        old_code, old_name = row["old_commune_code"], row["old_commune_name"]
        if "  " in old_name:
            report.quirks["old_name_double_space"] += 1
        if old_code == NO_CODE:
            report.quirks["old_code_00000"] += 1
        if old_code == NO_CODE and not old_name.strip():
            # An island district became a special zone: its predecessor is the district.
            predecessor = old_districts.get(row["old_district_code"])
            flags.append(_("Nguồn ghi mã 00000: cả huyện trở thành đặc khu"))
        else:
            key = ("" if old_code == NO_CODE else old_code, normalise_name(old_name))
            predecessor = old_communes.get(key)
            if old_code == NO_CODE:
                flags.append(_("Nguồn ghi mã 00000: không có xã trước đó"))
            if old_code in duplicate_codes:
                flags.append(_("Mã cũ %(code)s được nguồn dùng cho hai xã khác tên") % {"code": old_code})
        if len(district_provinces[row["old_district_code"]]) > 1:
            flags.append(_("Nguồn xếp huyện cũ vào hai tỉnh"))
        if predecessor is None:  # pragma: no cover - every legacy unit was just created
            report.unmatched.append(_("Bảng kế thừa, dòng %(n)s: không có đơn vị cũ.") % {"n": number})
            continue
        kind = UnitSuccession.Kind.PARTIAL if row["merge"].strip() == "partial" else UnitSuccession.Kind.WHOLE
        if row["merge"].strip() not in ("whole", "partial"):
            report.unmatched.append(
                _("Bảng kế thừa, dòng %(n)s: hình thức “%(m)s” không rõ.") % {"n": number, "m": row["merge"]}
            )
            continue
        desired_succ[(predecessor.pk, successor.pk, kind)] = {
            "note": row["note"].strip(),
            "source_new_code": row["source_new_code"],
            "effective_date": REFORM_DATE,
            "is_flagged": bool(flags),
            "flag_reason": "; ".join(flags)[:255],
        }
    report.quirks["code_reassigned"] = len(reassigned)
    for step, pairs in spelling.items():
        report.quirks[f"spelling_{step}"] = len(pairs)

    label = _("quan hệ kế thừa")
    to_create, to_update, changed_fields = [], [], set()
    for (pred, succ, kind), fields in desired_succ.items():
        obj = existing_succ.get((pred, succ, kind))
        if obj is None:
            to_create.append(UnitSuccession(predecessor_id=pred, successor_id=succ, kind=kind, **fields))
            continue
        diff = [f for f in _SUCCESSION_FIELDS if getattr(obj, f) != fields[f]]
        if diff:
            for f in diff:
                setattr(obj, f, fields[f])
            changed_fields.update(diff)
            to_update.append(obj)
        else:
            report.unchanged[label] += 1
    if to_create:
        UnitSuccession.objects.bulk_create(to_create, batch_size=500)
        report.created[label] += len(to_create)
    if to_update:
        UnitSuccession.objects.bulk_update(to_update, sorted(changed_fields | {"updated_at"}), batch_size=500)
        report.changed[label] += len(to_update)
    report.not_in_file[label] += len(set(existing_succ) - set(desired_succ))
    return report


QUIRK_LABELS = {
    "code_reassigned": gettext_lazy("Xã mới có mã trong nguồn khác mã danh mục (khớp theo tỉnh và tên)"),
    "xa_spelling": gettext_lazy("Dòng viết “Xa” thay cho “Xã”"),
    "old_code_00000": "Dòng có mã cũ 00000 (đặc khu từ huyện đảo, bãi bồi ven biển)",
    "duplicate_old_code": gettext_lazy("Mã xã cũ được dùng cho hai tên khác nhau (giữ cả hai, gắn cờ)"),
    "duplicate_old_code_units": gettext_lazy("Xã cũ mang mã trùng (đã gắn cờ)"),
    "old_name_double_space": gettext_lazy("Tên xã cũ có hai dấu cách liền nhau"),
    "spelling_nfc": gettext_lazy("Tên khác nhau vì chuẩn Unicode (NFC)"),
    "spelling_tone": gettext_lazy("Tên khác nhau vì vị trí dấu thanh (oà/òa, uý/úy)"),
    "spelling_dash": gettext_lazy("Tên khác nhau vì gạch nối và gạch ngang"),
    "spelling_apostrophe": gettext_lazy("Tên khác nhau vì dấu nháy"),
    "spelling_spaces": gettext_lazy("Tên khác nhau vì khoảng trắng thừa"),
    "spelling_case": gettext_lazy("Tên khác nhau vì chữ hoa, chữ thường"),
    "matched_by_code_only": gettext_lazy("Dòng chỉ khớp được theo mã (đã gắn cờ)"),
    "new_code_column_differs": gettext_lazy("Dòng có cột mã mới khác mã danh mục (đã gắn cờ)"),
    "legacy_province_two_names": gettext_lazy(
        "Tỉnh cũ được ghi hai tên (lấy tên xuất hiện nhiều nhất, gắn cờ)"
    ),
    "legacy_district_two_provinces": gettext_lazy(
        "Huyện cũ được xếp vào hai tỉnh (lấy tỉnh xuất hiện nhiều nhất, gắn cờ)"
    ),
    "legacy_district_name_case": gettext_lazy("Huyện cũ được ghi hai kiểu chữ hoa (“Thị xã”/“Thị Xã”)"),
}
