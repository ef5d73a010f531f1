"""Writes on administrative units: creating units, and the villages a commune manages.

No national list of villages (thôn, bản, tổ dân phố) exists: communes create them, import
them from a CSV file, merge and split them. A merged or split village is never deleted:
it ends (`valid_to`) and a `UnitSuccession` row says where it went, so history recorded
against it can be re-attributed.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.core.spreadsheets import text_decode
from lms.core.text import fold, normalise_name
from lms.core.trees import node_path_refresh

from .loading import LoadReport, units_load  # noqa: F401  (re-exported: the loader is a service)
from .models import CURRENT_EDITION, VILLAGE_TYPES, AdministrativeUnit, UnitSuccession

Level = AdministrativeUnit.Level
MAX_IMPORT_ROWS = 5000
_TYPES_BY_FOLD = {fold(t): t for t in VILLAGE_TYPES}


@transaction.atomic
def unit_create(
    *,
    name: str,
    level: str,
    parent: AdministrativeUnit | None = None,
    code: str = "",
    division_type: str = "",
    edition: str = CURRENT_EDITION,
    valid_from: datetime.date | None = None,
) -> AdministrativeUnit:
    """Create a unit and set its materialised path (the ids from the root down)."""
    unit = AdministrativeUnit(
        name=name,
        level=level,
        parent=parent,
        code=code,
        division_type=division_type,
        edition=edition,
        valid_from=valid_from,
    )
    unit.save()
    unit.path = unit.compute_path()
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def unit_path_refresh(*, unit: AdministrativeUnit) -> int:
    """Recompute the unit's path from its parent and rewrite its subtree's paths.

    Called after a unit's parent changes (for example in the admin). Refuses a parent
    inside the unit's own subtree, which would make a cycle.
    """
    return node_path_refresh(
        node=unit, cycle_message=_("Đơn vị cha không được nằm trong chính đơn vị này.")
    )


# --- villages ---------------------------------------------------------------------------


def village_type_clean(value: str) -> str:
    """The canonical spelling of a village type, or ValidationError listing those allowed."""
    canonical = _TYPES_BY_FOLD.get(fold(value))
    if canonical is None:
        raise ValidationError(
            _("Loại “%(value)s” không hợp lệ. Dùng một trong: %(types)s.")
            % {"value": value, "types": ", ".join(VILLAGE_TYPES)}
        )
    return canonical


def _today() -> datetime.date:
    return timezone.localdate()


def _active_villages(commune: AdministrativeUnit, day: datetime.date) -> QuerySet[AdministrativeUnit]:
    return AdministrativeUnit.objects.filter(parent=commune, level=Level.VILLAGE).active_on(day)


def _check_commune(commune: AdministrativeUnit) -> None:
    if commune.level != Level.COMMUNE or commune.edition != CURRENT_EDITION or commune.valid_to:
        raise ValidationError(_("Thôn chỉ được tạo trong một xã, phường, đặc khu đang có hiệu lực."))


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("Hãy nhập tên thôn, bản, tổ dân phố."))
    if len(name) > 255:
        raise ValidationError(_("Tên quá dài (tối đa 255 ký tự)."))
    return name


def _check_name_free(
    commune: AdministrativeUnit, name: str, day: datetime.date, *, ignore: list[int] = ()
) -> None:
    wanted = normalise_name(name)
    for other in _active_villages(commune, day).exclude(pk__in=list(ignore)).only("name"):
        if normalise_name(other.name) == wanted:
            raise ValidationError(
                _("Xã đã có “%(name)s”. Hãy chọn tên khác.") % {"name": other.name}
            )


def _effective(day: datetime.date | None) -> datetime.date:
    day = day or _today()
    if day > _today():
        raise ValidationError(_("Ngày hiệu lực không được ở sau hôm nay."))
    return day


@transaction.atomic
def village_create(
    *,
    commune: AdministrativeUnit,
    name: str,
    division_type: str = "thôn",
    code: str = "",
    valid_from: datetime.date | None = None,
) -> AdministrativeUnit:
    """Create a village (thôn, bản, tổ dân phố …) under a current commune.

    Rules: the commune is a current-edition commune in force; the name is not empty and
    no village of the commune in force has the same name (compared normalised: case,
    spaces, tone-mark placement); the type is one of VILLAGE_TYPES.
    """
    _check_commune(commune)
    name = _clean_name(name)
    division_type = village_type_clean(division_type)
    _check_name_free(commune, name, _today())
    return unit_create(
        name=name, level=Level.VILLAGE, parent=commune, code=code.strip(),
        division_type=division_type, valid_from=valid_from,
    )


@dataclass
class ImportRow:
    line: int
    commune_code: str
    name: str
    division_type: str
    status: str  # "create", "exists" or "error"
    message: str = ""


@dataclass
class VillageImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # problems with the file as a whole
    written: bool = False
    created: list[AdministrativeUnit] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not any(r.status == "error" for r in self.rows)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def n_create(self) -> int:
        return self.count("create")

    @property
    def n_exists(self) -> int:
        return self.count("exists")

    @property
    def n_error(self) -> int:
        return self.count("error")


_COLUMN_ALIASES = {
    "commune_code": ("commune_code", "ma_xa", "mã xã", "ma xa"),
    "name": ("name", "ten", "tên", "ten_thon"),
    "type": ("type", "loai", "loại", "division_type"),
}


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    return text_decode(data)


def village_import_csv(
    *,
    data: bytes | str,
    communes: QuerySet[AdministrativeUnit],
    dry_run: bool = False,
) -> VillageImportReport:
    """Import villages from CSV (columns commune_code, name, type), all or nothing.

    Rules: every row is checked first and reported (line, outcome, reason); `communes` is
    the scope the importer may write to (a commune code outside it is an error, as is an
    unknown code); a name repeated in the file is an error; a village that already exists
    in force under the commune is reported as "exists" and left alone (so importing the
    same file twice is harmless). If any row has an error, or `dry_run` is set, nothing is
    written. Commune codes that lost their leading zeros in a spreadsheet are padded.
    """
    report = VillageImportReport()
    try:
        text = _decode(data)
    except ValidationError as exc:
        report.errors.extend(exc.messages)
        return report
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        report.errors.append(_("Tệp trống. Dòng đầu phải là tiêu đề: commune_code,name,type."))
        return report
    header = [fold(h).replace(" ", "_") for h in header]
    index = {}
    for column, aliases in _COLUMN_ALIASES.items():
        for alias in aliases:
            if fold(alias).replace(" ", "_") in header:
                index[column] = header.index(fold(alias).replace(" ", "_"))
                break
    missing = [c for c in ("commune_code", "name") if c not in index]
    if missing:
        report.errors.append(
            _("Thiếu cột: %(cols)s. Dòng đầu phải là tiêu đề: commune_code,name,type.")
            % {"cols": ", ".join(missing)}
        )
        return report

    rows = list(reader)
    if len(rows) > MAX_IMPORT_ROWS:
        report.errors.append(_("Tệp có quá %(n)s dòng. Hãy chia nhỏ tệp.") % {"n": MAX_IMPORT_ROWS})
        return report
    codes = set()
    for raw in rows:
        if len(raw) > index["commune_code"]:
            code = raw[index["commune_code"]].strip()
            codes.add(code.zfill(5) if code.isdigit() else code)
    in_scope = {
        u.code: u for u in communes.filter(edition=CURRENT_EDITION, level=Level.COMMUNE, code__in=codes)
    }
    known = set(
        AdministrativeUnit.objects.filter(edition=CURRENT_EDITION, level=Level.COMMUNE, code__in=codes)
        .values_list("code", flat=True)
    )
    day = _today()
    existing: dict[int, set[str]] = {}
    for village in AdministrativeUnit.objects.filter(
        parent__in=list(in_scope.values()), level=Level.VILLAGE
    ).active_on(day).only("name", "parent_id"):
        existing.setdefault(village.parent_id, set()).add(normalise_name(village.name))

    seen: set[tuple[int, str]] = set()
    for line, raw in enumerate(rows, start=2):
        if not any(cell.strip() for cell in raw):
            continue

        def cell(column: str, raw=raw) -> str:
            i = index.get(column)
            return raw[i].strip() if i is not None and i < len(raw) else ""

        code = cell("commune_code")
        code = code.zfill(5) if code.isdigit() else code
        row = ImportRow(line=line, commune_code=code, name=" ".join(cell("name").split()),
                        division_type=cell("type") or "thôn", status="create")
        report.rows.append(row)
        problems = []
        commune = in_scope.get(code)
        if not code:
            problems.append(_("thiếu mã xã"))
        elif commune is None:
            problems.append(
                _("mã xã %(code)s không thuộc phạm vi bạn quản lý") % {"code": code}
                if code in known
                else _("không có xã nào mang mã %(code)s") % {"code": code}
            )
        if not row.name:
            problems.append(_("thiếu tên"))
        elif len(row.name) > 255:
            problems.append(_("tên quá dài (tối đa 255 ký tự)"))
        try:
            row.division_type = village_type_clean(row.division_type)
        except ValidationError as exc:
            problems.extend(exc.messages)
        if problems:
            row.status, row.message = "error", "; ".join(problems)
            continue
        key = (commune.pk, normalise_name(row.name))
        if key in seen:
            row.status, row.message = "error", _("tên bị lặp lại trong tệp")
            continue
        seen.add(key)
        if key[1] in existing.get(commune.pk, set()):
            row.status, row.message = "exists", _("đã có, giữ nguyên")

    if not report.rows and not report.errors:
        report.errors.append(_("Tệp không có dòng dữ liệu nào."))
    if dry_run or not report.ok:
        return report
    with transaction.atomic():
        for row in report.rows:
            if row.status == "create":
                report.created.append(
                    unit_create(name=row.name, level=Level.VILLAGE, parent=in_scope[row.commune_code],
                                division_type=row.division_type)
                )
    report.written = True
    return report


def _check_villages_active(villages: list[AdministrativeUnit], day: datetime.date) -> AdministrativeUnit:
    commune_ids = {v.parent_id for v in villages}
    if any(v.level != Level.VILLAGE for v in villages) or len(commune_ids) != 1:
        raise ValidationError(_("Chỉ gộp, tách được các thôn của cùng một xã."))
    for v in villages:
        if (v.valid_to and v.valid_to < day) or (v.valid_from and v.valid_from > day):
            raise ValidationError(_("“%(name)s” không còn hiệu lực.") % {"name": v.name})
    return villages[0].parent


@transaction.atomic
def village_merge(
    *,
    villages: list[AdministrativeUnit],
    name: str,
    division_type: str = "thôn",
    effective_date: datetime.date | None = None,
    note: str = "",
) -> AdministrativeUnit:
    """Merge several villages of one commune into a new one.

    Rules: at least two distinct villages, all of the same commune and in force on the
    effective date (today by default, never in the future); the new name may reuse one
    of the merged names but not another village's. The old villages end the day before
    (`valid_to`), the new one starts on the effective date, and each old village gets a
    `village_merge` succession row to the new one.
    """
    villages = list({v.pk: v for v in villages}.values())
    if len(villages) < 2:
        raise ValidationError(_("Hãy chọn ít nhất hai thôn để gộp."))
    day = _effective(effective_date)
    commune = _check_villages_active(villages, day)
    name = _clean_name(name)
    division_type = village_type_clean(division_type)
    _check_name_free(commune, name, day, ignore=[v.pk for v in villages])
    end = day - datetime.timedelta(days=1)
    for v in villages:
        v.valid_to = end
        v.save(update_fields=["valid_to", "updated_at"])
    merged = unit_create(
        name=name, level=Level.VILLAGE, parent=commune, division_type=division_type, valid_from=day
    )
    UnitSuccession.objects.bulk_create(
        [
            UnitSuccession(predecessor=v, successor=merged, kind=UnitSuccession.Kind.VILLAGE_MERGE,
                           note=note.strip()[:255], effective_date=day)
            for v in villages
        ]
    )
    return merged


@transaction.atomic
def village_split(
    *,
    village: AdministrativeUnit,
    parts: list[tuple[str, str]],
    effective_date: datetime.date | None = None,
    note: str = "",
) -> list[AdministrativeUnit]:
    """Split one village into several new ones (`parts`: (name, type) pairs).

    Rules: at least two parts with distinct names; the village is in force on the
    effective date (today by default, never in the future); a part may reuse the old
    village's name but not another village's. The old village ends the day before, each
    part starts on the effective date and gets a `village_split` succession row.
    """
    if len(parts) < 2:
        raise ValidationError(_("Hãy nhập ít nhất hai thôn mới."))
    day = _effective(effective_date)
    commune = _check_villages_active([village], day)
    cleaned, seen = [], set()
    for name, kind in parts:
        name = _clean_name(name)
        if normalise_name(name) in seen:
            raise ValidationError(_("Tên “%(name)s” bị lặp lại.") % {"name": name})
        seen.add(normalise_name(name))
        _check_name_free(commune, name, day, ignore=[village.pk])
        cleaned.append((name, village_type_clean(kind or village.division_type or "thôn")))
    village.valid_to = day - datetime.timedelta(days=1)
    village.save(update_fields=["valid_to", "updated_at"])
    created = [
        unit_create(name=name, level=Level.VILLAGE, parent=commune, division_type=kind, valid_from=day)
        for name, kind in cleaned
    ]
    UnitSuccession.objects.bulk_create(
        [
            UnitSuccession(predecessor=village, successor=new, kind=UnitSuccession.Kind.VILLAGE_SPLIT,
                           note=note.strip()[:255], effective_date=day)
            for new in created
        ]
    )
    return created
