"""Importing figures recorded before the 2025 reorganisation (legacy series) from a
CSV or XLSX file: every row is checked first; only a file without errors is written,
in one transaction (all or nothing), through `recorded_figure_add`.

Who: a province officer for the old communes that went (wholly or partly) into a
commune of their province; a national officer for any province.

Columns (first line): old_commune_code, village, indicator, period, numerator,
denominator, source. `village` is optional: the name of a village known today in one
of the old commune's new communes.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from community_teams.imports import ImportReport
from lms.accounts.models import Role
from lms.accounts.selectors import roles_active_for
from lms.core.text import fold
from lms.jobs.services import job_enqueue
from lms.places.models import LEGACY_EDITION, AdministrativeUnit, UnitSuccession

from .models import IndicatorDefinition, RecordedFigure
from .periods import period_parse

COLUMNS = ("old_commune_code", "village", "indicator", "period", "numerator", "denominator", "source")
REQUIRED = ("old_commune_code", "indicator", "period", "numerator", "denominator", "source")
MAX_ROWS = 5000
REFORM = datetime.date(2025, 7, 1)


@dataclass
class LegacyRow:
    line: int
    values: dict
    status: str = "create"  # create | error
    message: str = ""
    old_commune: AdministrativeUnit | None = None
    village: AdministrativeUnit | None = None
    numerator: int = 0
    denominator: int = 0


@dataclass
class LegacyReport(ImportReport):
    """The same report as the team import's (ok, n_create, n_error), over legacy rows."""

    rows: list[LegacyRow] = field(default_factory=list)


def legacy_import_allowed(*, user, province: AdministrativeUnit) -> bool:
    """A national officer, or a province officer holding the role over this province."""
    if province.level != "province":
        return False
    roles = roles_active_for(user=user)
    return (
        roles.filter(role=Role.NATIONAL_OFFICER).exists()
        or roles.filter(role=Role.PROVINCE_OFFICER, unit=province).exists()
    )


def _count(text: str) -> int | None:
    text = text.replace(".", "").replace(",", "").replace(" ", "")
    return int(text) if text.isdigit() else None


def legacy_figures_import(
    *, by, province: AdministrativeUnit, table: list[list[str]], confirm: bool
) -> LegacyReport:
    """Check every row of `table`; when all are good and `confirm`, record them all (one
    transaction) and ask for a rollup rebuild. Rules per row: an old commune (edition
    before 07/2025) by its code, whose successors include a commune of this province; a
    village, if given, found by name in one of those successors; a known indicator; a
    period (month, quarter or year) ending before July 2025; whole numbers with the
    numerator at most the denominator; a source; not already recorded, nor twice in the
    file."""
    if not legacy_import_allowed(user=by, province=province):
        raise PermissionDenied(_("Chỉ cán bộ của tỉnh này hoặc cán bộ trung ương được nhập số liệu cũ."))
    report = LegacyReport()
    rows = [r for r in table if any(c.strip() for c in r)]
    if not rows:
        report.errors.append(_("Tệp trống."))
        return report
    header = [fold(c).replace(" ", "_") for c in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        report.errors.append(
            _("Thiếu cột: %(cols)s. Dòng đầu phải là: %(all)s.")
            % {"cols": ", ".join(missing), "all": ",".join(COLUMNS)}
        )
        return report
    if len(rows) - 1 > MAX_ROWS:
        report.errors.append(_("Mỗi lần nhập tối đa %(n)d dòng.") % {"n": MAX_ROWS})
        return report
    data = [dict(zip(header, raw + [""] * (len(header) - len(raw)), strict=False)) for raw in rows[1:]]
    codes = {d["old_commune_code"].strip() for d in data}
    olds = {
        u.code: u
        for u in AdministrativeUnit.objects.filter(edition=LEGACY_EDITION, level="commune", code__in=codes)
    }
    successors: dict[int, list[AdministrativeUnit]] = {}
    for s in UnitSuccession.objects.filter(
        predecessor__in=olds.values(), kind__in=[UnitSuccession.Kind.WHOLE, UnitSuccession.Kind.PARTIAL]
    ).select_related("successor"):
        successors.setdefault(s.predecessor_id, []).append(s.successor)
    villages: dict[tuple[int, str], list[AdministrativeUnit]] = {}
    for v in AdministrativeUnit.objects.filter(
        level="village", parent__in={c.pk for cs in successors.values() for c in cs}
    ):
        villages.setdefault((v.parent_id, fold(v.name)), []).append(v)
    indicators = set(IndicatorDefinition.objects.values_list("code", flat=True))
    existing = set(
        RecordedFigure.objects.filter(legacy_commune__in=olds.values()).values_list(
            "legacy_commune_id", "village_id", "indicator", "period"
        )
    )
    seen: set[tuple] = set()
    for n, values in enumerate(data, start=2):
        row = LegacyRow(line=n, values={c: values.get(c, "").strip() for c in COLUMNS})
        report.rows.append(row)
        v = row.values
        problems = []
        row.old_commune = olds.get(v["old_commune_code"])
        new_communes = successors.get(row.old_commune.pk, []) if row.old_commune else []
        mine = [c for c in new_communes if c.parent_id == province.pk]
        if row.old_commune is None:
            problems.append(
                _("Không có xã cũ (trước 7/2025) mã “%(code)s”.") % {"code": v["old_commune_code"]}
            )
        elif not mine:
            problems.append(
                _("Xã cũ %(name)s không sáp nhập vào xã nào của %(province)s.")
                % {"name": row.old_commune.name, "province": province.name}
            )
        elif v["village"]:
            found = [u for c in new_communes for u in villages.get((c.pk, fold(v["village"])), [])]
            if not found:
                problems.append(
                    _("Không tìm thấy thôn “%(v)s” trong các xã mới của xã cũ này.") % {"v": v["village"]}
                )
            elif len(found) > 1:
                problems.append(
                    _("Có %(n)d thôn tên “%(v)s” trong các xã mới; không biết chọn thôn nào.")
                    % {"n": len(found), "v": v["village"]}
                )
            else:
                row.village = found[0]
        if v["indicator"] not in indicators:
            problems.append(_("Không có chỉ số “%(code)s”.") % {"code": v["indicator"]})
        p = period_parse(v["period"])
        if p is None:
            problems.append(
                _("Kỳ “%(p)s” không đúng dạng (2024-06, 2024-Q2 hoặc 2024).") % {"p": v["period"]}
            )
        elif p.end >= REFORM:
            problems.append(_("Kỳ báo cáo phải trước tháng 7/2025."))
        num, den = _count(v["numerator"]), _count(v["denominator"])
        if num is None or den is None:
            problems.append(_("Tử số và mẫu số phải là số nguyên không âm."))
        elif num > den:
            problems.append(_("Tử số lớn hơn mẫu số."))
        else:
            row.numerator, row.denominator = num, den
        if not v["source"]:
            problems.append(_("Thiếu nguồn số liệu."))
        key = (
            row.old_commune.pk if row.old_commune else None,
            row.village.pk if row.village else None,
            v["indicator"],
            v["period"],
        )
        if row.old_commune is not None and (row.village is not None or not v["village"]):
            if key in existing:
                problems.append(_("Số liệu này đã được nhập trước đây."))
            elif key in seen:
                problems.append(_("Dòng trùng với một dòng trước trong tệp."))
            seen.add(key)
        if problems:
            row.status, row.message = "error", " ".join(problems)
    if not report.ok or not confirm:
        return report
    from .services import REBUILD_JOB, recorded_figure_add

    try:
        with transaction.atomic():
            for row in report.rows:
                recorded_figure_add(
                    legacy_commune=row.old_commune,
                    village=row.village,
                    indicator=row.values["indicator"],
                    period=row.values["period"],
                    numerator=row.numerator,
                    denominator=row.denominator,
                    source=row.values["source"],
                )
                report.written += 1
            job_enqueue(task=REBUILD_JOB, kwargs={}, dedupe_key=REBUILD_JOB)
    except (ValidationError, IntegrityError):  # recorded by someone else meanwhile: nothing is kept
        report.written = 0
        report.errors.append(
            _("Có số liệu vừa được người khác nhập; chưa dòng nào được ghi. Hãy kiểm tra lại.")
        )
    return report
