"""Writes on agencies (cơ quan, đơn vị): create, move, import from CSV.

An agency's `path` holds its ancestors' ids and its own; moving an agency rewrites the
paths of its whole subtree in one statement, so "everything under this Sở" stays one
indexed prefix query.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms.core.spreadsheets import text_decode
from lms.core.text import fold
from lms.core.trees import node_path_refresh, subtree_path_rewrite
from lms.places.models import CURRENT_EDITION, AdministrativeUnit

from .models import Agency

MAX_IMPORT_ROWS = 20_000


@transaction.atomic
def agency_create(
    *,
    code: str,
    name: str,
    parent: Agency | None = None,
    unit: AdministrativeUnit | None = None,
) -> Agency:
    """Create an agency under `parent` and set its materialised path."""
    agency = Agency(code=code, name=name, parent=parent, unit=unit)
    agency.full_clean(exclude=["path"])
    agency.save()
    agency.path = agency.compute_path()
    agency.save(update_fields=["path"])
    return agency


@transaction.atomic
def agency_move(*, agency: Agency, parent: Agency | None) -> Agency:
    """Put `agency` under `parent` (None: a root) and rewrite its subtree's paths.

    Rules: an agency cannot be moved under itself or under one of its descendants.
    """
    agency.refresh_from_db(fields=["path", "parent"])
    if parent is not None:
        parent.refresh_from_db(fields=["path"])
        if parent.pk == agency.pk or (agency.path and parent.path.startswith(agency.path)):
            raise ValidationError(
                _("Không thể đặt “%(a)s” dưới “%(p)s”: sẽ tạo vòng lặp.")
                % {"a": agency.name, "p": parent.name}
            )
    agency.parent = parent
    agency.save(update_fields=["parent", "updated_at"])
    old_path, new_path = agency.path, agency.compute_path()
    if not old_path:
        agency.path = new_path
        agency.save(update_fields=["path"])
    else:
        subtree_path_rewrite(queryset=Agency.objects.all(), old_path=old_path, new_path=new_path)
        agency.path = new_path
    return agency


def agency_path_refresh(*, agency: Agency) -> int:
    """Recompute the agency's path from its (already saved) parent and rewrite its subtree.

    Used after an edit in the admin changed the parent; refuses a cycle.
    """
    return node_path_refresh(
        node=agency, cycle_message=_("Cơ quan cấp trên không được nằm trong chính cơ quan này.")
    )


@dataclass
class AgencyImportRow:
    line: int
    code: str
    name: str
    parent_code: str
    unit_code: str
    status: str = ""  # "create", "update", "unchanged" or "error"
    message: str = ""


@dataclass
class AgencyImportReport:
    rows: list[AgencyImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not any(r.status == "error" for r in self.rows)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def _find_unit(code: str) -> AdministrativeUnit | None:
    units = list(
        AdministrativeUnit.objects.filter(
            edition=CURRENT_EDITION, code=code, level__in=["province", "commune"]
        )
    )
    return units[0] if len(units) == 1 else None


def agency_import_csv(*, data: bytes | str, dry_run: bool = False) -> AgencyImportReport:
    """Import agencies from CSV (columns code, name, parent_code, unit_code optional).

    Rules: every row is checked and reported before anything is written, and if any row
    has an error nothing is written (all or nothing). A parent may appear after its child
    in the file, or already exist in the database; a code repeated in the file, a parent
    code found nowhere, a cycle (A under B under A) or an unknown unit code is an error.
    Re-importing is idempotent: an existing agency (same code) gets the file's name,
    parent and unit, and moving it to another parent rewrites its subtree's paths.
    """
    report = AgencyImportReport()
    if isinstance(data, bytes):
        try:
            data = text_decode(data)
        except ValidationError as exc:
            report.errors.extend(exc.messages)
            return report
    reader = csv.DictReader(io.StringIO(data))
    columns = {fold(c) for c in (reader.fieldnames or [])}
    missing = {"code", "name", "parent_code"} - columns
    if missing:
        report.errors.append(
            _("Thiếu cột: %(cols)s. Dòng đầu phải là: code,name,parent_code,unit_code.")
            % {"cols": ", ".join(sorted(missing))}
        )
        return report
    rows = []
    for line, raw in enumerate(reader, start=2):
        raw = {fold(k): (v or "").strip() for k, v in raw.items() if k}
        if not any(raw.values()):
            continue
        rows.append(AgencyImportRow(
            line=line, code=raw.get("code", ""), name=" ".join(raw.get("name", "").split()),
            parent_code=raw.get("parent_code", ""), unit_code=raw.get("unit_code", ""),
        ))
    if not rows:
        report.errors.append(_("Tệp không có dòng dữ liệu nào."))
        return report
    if len(rows) > MAX_IMPORT_ROWS:
        report.errors.append(_("Tệp có quá %(n)s dòng. Hãy chia nhỏ tệp.") % {"n": MAX_IMPORT_ROWS})
        return report
    report.rows = rows

    codes_in_file: dict[str, AgencyImportRow] = {}
    for row in rows:
        if row.code and row.code in codes_in_file:
            row.status, row.message = "error", _("mã bị lặp lại (đã có ở dòng %(n)s)") % {
                "n": codes_in_file[row.code].line
            }
        elif row.code:
            codes_in_file[row.code] = row
    parent_codes = {r.parent_code for r in rows if r.parent_code}
    existing = {
        a.code: a
        for a in Agency.objects.filter(code__in=set(codes_in_file) | parent_codes).select_related("parent")
    }
    units: dict[str, AdministrativeUnit | None] = {}
    for row in rows:
        if row.status == "error":
            continue
        problems = []
        if not row.code:
            problems.append(_("thiếu mã"))
        elif len(row.code) > 64:
            problems.append(_("mã quá dài (tối đa 64 ký tự)"))
        if not row.name:
            problems.append(_("thiếu tên"))
        elif len(row.name) > 255:
            problems.append(_("tên quá dài (tối đa 255 ký tự)"))
        if row.parent_code:
            if row.parent_code == row.code:
                problems.append(_("cơ quan không thể là cấp trên của chính nó"))
            elif row.parent_code not in codes_in_file and row.parent_code not in existing:
                problems.append(_("không tìm thấy cơ quan cấp trên mã %(c)s") % {"c": row.parent_code})
        if row.unit_code:
            if row.unit_code not in units:
                units[row.unit_code] = _find_unit(row.unit_code)
            if units[row.unit_code] is None:
                problems.append(_("không có đơn vị hành chính mã %(c)s") % {"c": row.unit_code})
        if problems:
            row.status, row.message = "error", "; ".join(problems)

    # Find cycles inside the file and an order in which every parent is written before
    # its children (a cycle through agencies already in the database is caught on write).
    depth: dict[str, int] = {}
    for row in rows:
        if row.status == "error" or row.code not in codes_in_file:
            continue
        seen, code = [], row.code
        while code and code in codes_in_file and code not in depth:
            if code in seen:
                row.status, row.message = "error", _("cấp trên tạo thành vòng lặp: %(c)s") % {
                    "c": " → ".join([*seen[seen.index(code):], code])
                }
                break
            seen.append(code)
            code = codes_in_file[code].parent_code
        if row.status == "error":
            continue
        base = depth.get(code, 0) if code else 0
        for offset, c in enumerate(reversed(seen), start=1):
            depth[c] = base + offset
    # Children of a row in error cannot be placed either.
    for row in rows:
        if row.status != "error":
            code = row.parent_code
            while code in codes_in_file:
                if codes_in_file[code].status == "error":
                    row.status, row.message = "error", _("cơ quan cấp trên %(c)s có lỗi") % {"c": code}
                    break
                code = codes_in_file[code].parent_code
    ordered = sorted((r for r in rows if r.status != "error"), key=lambda r: depth.get(r.code, 0))
    for row in ordered:
        agency = existing.get(row.code)
        if agency is None:
            row.status = "create"
        else:
            unit = units.get(row.unit_code) if row.unit_code else None
            same = (
                agency.name == row.name
                and (agency.parent.code if agency.parent_id else "") == row.parent_code
                and agency.unit_id == (unit.pk if unit else None)
            )
            row.status = "unchanged" if same else "update"
    if dry_run or not report.ok:
        return report

    try:
        with transaction.atomic():
            for row in ordered:
                _write_row(row, existing, units)
    except _RowFailed as failed:
        # Everything written so far was rolled back with the transaction.
        failed.row.status, failed.row.message = "error", failed.message
        return report
    report.written = True
    return report


class _RowFailed(Exception):
    def __init__(self, row: AgencyImportRow, message: str):
        super().__init__(message)
        self.row, self.message = row, message


def _write_row(row: AgencyImportRow, existing: dict[str, Agency], units: dict) -> None:
    parent = existing.get(row.parent_code) if row.parent_code else None
    if parent is not None:
        parent.refresh_from_db(fields=["path"])  # it may have moved earlier in this import
    unit = units.get(row.unit_code) if row.unit_code else None
    agency = existing.get(row.code)
    try:
        if agency is None:
            existing[row.code] = agency_create(code=row.code, name=row.name, parent=parent, unit=unit)
            return
        if row.status == "unchanged":
            return
        agency.name, agency.unit = row.name, unit
        agency.full_clean(exclude=["path", "parent"])
        agency.save(update_fields=["name", "name_folded", "unit", "updated_at"])
        if agency.parent_id != (parent.pk if parent else None):
            agency_move(agency=agency, parent=parent)
    except ValidationError as exc:
        raise _RowFailed(row, "; ".join(exc.messages)) from exc
