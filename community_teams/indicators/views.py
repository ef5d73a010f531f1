"""Dashboards, the list behind a figure, exports, targets and the review queue: thin views
over selectors and services. A unit outside the viewer's scope is a 404."""

import base64
import binascii
import csv
import datetime
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lms.accounts.selectors import units_visible_to
from lms.core.replicas import use_replica
from lms.core.spreadsheets import MAX_UPLOAD_BYTES, export_row, table_read
from lms.places.models import AdministrativeUnit

from .imports import COLUMNS as LEGACY_COLUMNS
from .imports import legacy_figures_import, legacy_import_allowed
from .models import IndicatorDefinition, Level, QualityFlag, Target
from .selectors import (
    communes_reviewed_by,
    dashboard_units_for,
    export_rows,
    figure_members,
    indicator_dashboard,
    period_or_default,
    provinces_tiles,
    review_queue,
    team_overview,
    unit_for_viewer,
)
from .services import month_approve, quality_flag_review, target_set

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _definitions() -> list[IndicatorDefinition]:
    return list(IndicatorDefinition.objects.filter(active=True))


def _indicator(request: HttpRequest, definitions: list[IndicatorDefinition]) -> IndicatorDefinition:
    code = request.GET.get("chi-so", "")
    if not definitions:
        raise Http404
    return next((d for d in definitions if d.code == code), definitions[0])


def _sees_nation(user) -> bool:
    return dashboard_units_for(user=user)[0]


def _unit(request: HttpRequest, unit_id: int | None) -> AdministrativeUnit | None:
    """None for the nation (national officers only); else a unit within the viewer's scope."""
    if unit_id is None:
        if not _sees_nation(request.user):
            raise Http404
        return None
    unit = unit_for_viewer(user=request.user, unit_id=unit_id)
    if unit is None or unit.level not in (Level.PROVINCE, Level.COMMUNE, Level.VILLAGE):
        raise Http404
    return unit


def _ancestors(unit: AdministrativeUnit | None) -> list[AdministrativeUnit]:
    chain = []
    u = unit.parent if unit else None
    while u is not None:
        chain.append(u)
        u = u.parent
    return list(reversed(chain))


@login_required
@require_GET
@use_replica
def home(request: HttpRequest) -> HttpResponse:
    nation, units = dashboard_units_for(user=request.user)
    if nation:
        return redirect("indicators:nation")
    if len(units) == 1:
        return redirect("indicators:unit", unit_id=units[0].pk)
    return render(request, "indicators/home.html", {"units": units})


def _query(indicator: IndicatorDefinition, period) -> str:
    return f"chi-so={indicator.code}&ky={period.key}"


@login_required
@require_GET
@use_replica
def dashboard(request: HttpRequest, unit_id: int | None = None) -> HttpResponse:
    unit = _unit(request, unit_id)
    definitions = _definitions()
    indicator = _indicator(request, definitions)
    period = period_or_default(request.GET.get("ky"))
    board = indicator_dashboard(unit=unit, indicator=indicator, period=period, definitions=definitions)
    nation = _sees_nation(request.user)
    ancestors = _ancestors(unit)
    visible = (
        set(
            units_visible_to(user=request.user)
            .filter(pk__in=[a.pk for a in ancestors])
            .values_list("pk", flat=True)
        )
        if ancestors
        else set()
    )
    language = get_language() or "vi"
    trend = {
        "labels": [f.key for f in board.trend],
        "values": [float(f.percent) if f.percent is not None else None for f in board.trend],
        "target": float(board.target.percent) if board.target else None,
        "names": {"value": indicator.display_name(language), "target": _("Chỉ tiêu")},
    }
    return render(
        request,
        "indicators/dashboard.html",
        {
            "board": board,
            "unit": unit,
            "ancestors": ancestors,
            "visible_ancestors": visible,
            "nation_visible": nation,
            "tiles": provinces_tiles(indicator=indicator, period=period) if unit is None else [],
            "query": _query(indicator, period),
            "trend": trend,
            "language": language,
            "periods": _period_choices(),
            "can_set_target": unit is not None and unit.level in (Level.PROVINCE, Level.COMMUNE),
        },
    )


def _period_choices() -> list[str]:
    today = timezone.localdate()
    keys = []
    for year in (today.year, today.year - 1):
        keys.append(str(year))
        last = today.month if year == today.year else 12
        keys += [f"{year}-Q{q}" for q in range((last - 1) // 3 + 1, 0, -1)]
        keys += [f"{year}-{m:02d}" for m in range(last, 0, -1)]
    return keys


@login_required
@require_GET
@use_replica
def figure_list(request: HttpRequest, unit_id: int) -> HttpResponse:
    """What a figure counts: for a village, its households or residents (only within the
    viewer's scope: the unit was found through units_visible_to); above, the counts of
    the units below, each linking further down."""
    unit = _unit(request, unit_id)
    definitions = _definitions()
    indicator = _indicator(request, definitions)
    period = period_or_default(request.GET.get("ky"))
    if unit.level != Level.VILLAGE:
        return redirect(reverse("indicators:unit", args=[unit.pk]) + f"?{_query(indicator, period)}#units")
    members = figure_members(village=unit, indicator=indicator, period=period)
    page = Paginator(members, 50).get_page(request.GET.get("trang"))
    counted = sum(m["counted"] for m in members)
    return render(
        request,
        "indicators/figure_list.html",
        {
            "unit": unit,
            "indicator": indicator,
            "period": period,
            "page": page,
            "counted": counted,
            "total": len(members),
            "query": _query(indicator, period),
        },
    )


def _export(rows: list[dict], fmt: str, name: str) -> HttpResponse:
    headers = [
        _("Cấp"),
        _("Đơn vị"),
        _("Mã đơn vị"),
        _("Mã chỉ số"),
        _("Chỉ số"),
        _("Kỳ"),
        _("Tử số"),
        _("Mẫu số"),
        _("Tỉ lệ (%)"),
        _("Tính lúc"),
    ]
    keys = [
        "level",
        "unit",
        "unit_code",
        "indicator",
        "indicator_name",
        "period",
        "numerator",
        "denominator",
        "percent",
        "computed_at",
    ]
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")  # Excel opens UTF-8 CSV with Vietnamese correctly
        writer = csv.writer(out)
        writer.writerow(export_row(headers))
        for r in rows:
            writer.writerow(export_row(["" if r[k] is None else r[k] for k in keys]))
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = _("Chỉ số")
        ws.append(export_row(headers, xlsx=True))
        for r in rows:
            values = [float(r[k]) if k == "percent" and r[k] is not None else r[k] for k in keys]
            ws.append(export_row(values, xlsx=True))
        buf = io.BytesIO()
        wb.save(buf)
        response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_GET
@use_replica
def export(request: HttpRequest, fmt: str, unit_id: int | None = None) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    unit = _unit(request, unit_id)
    period = period_or_default(request.GET.get("ky"))
    name = f"chi-so-{unit.code or unit.pk if unit else 'toan-quoc'}-{period.key}"
    return _export(export_rows(unit=unit, period=period), fmt, name)


@login_required
def targets(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit(request, unit_id)
    if unit.level not in (Level.PROVINCE, Level.COMMUNE):
        raise Http404
    definitions = _definitions()
    codes = sorted({d.target_code for d in definitions})
    errors = {}
    if request.method == "POST":
        try:
            t = target_set(
                by=request.user,
                unit=unit,
                target_code=request.POST.get("target_code", ""),
                year=int(request.POST.get("year") or 0),
                percent=request.POST.get("percent", ""),
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except (ValidationError, ValueError) as exc:
            errors = getattr(exc, "message_dict", {"year": [_("Năm không hợp lệ.")]})
        else:
            if t.warning:
                messages.warning(request, t.warning)
            messages.success(request, _("Đã lưu chỉ tiêu."))
            return redirect("indicators:targets", unit_id=unit.pk)
    rows = list(Target.objects.filter(unit=unit).order_by("target_code", "year"))
    national = list(Target.objects.filter(unit__isnull=True).order_by("target_code", "year"))
    return render(
        request,
        "indicators/targets.html",
        {
            "unit": unit,
            "rows": rows,
            "national": national,
            "codes": codes,
            "errors": errors,
            "this_year": timezone.localdate().year,
        },
    )


@login_required
def review(request: HttpRequest, commune_id: int) -> HttpResponse:
    commune = get_object_or_404(AdministrativeUnit, pk=commune_id, level="commune")
    if commune not in communes_reviewed_by(user=request.user):
        raise Http404
    if request.method == "POST":
        try:
            if "approve_month" in request.POST:
                month = datetime.date.fromisoformat(request.POST["approve_month"] + "-01")
                month_approve(by=request.user, commune=commune, month=month)
                messages.success(
                    request, _("Đã duyệt và khoá sổ tháng %(m)s.") % {"m": month.strftime("%m/%Y")}
                )
            else:
                flag = get_object_or_404(QualityFlag, pk=request.POST.get("flag"), commune=commune)
                quality_flag_review(by=request.user, flag=flag, state=request.POST.get("state", ""))
                messages.success(request, _("Đã ghi nhận kết quả xem xét."))
        except (ValidationError, PermissionDenied, ValueError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("indicators:review", commune_id=commune.pk)
    flags = Paginator(review_queue(commune=commune), 30).get_page(request.GET.get("trang"))
    today = timezone.localdate()
    months = []
    m = today.replace(day=1)
    for _i in range(6):
        m = (m - datetime.timedelta(days=1)).replace(day=1)
        months.append(m)
    from community_teams.models import MonthClosure

    closed = set(
        MonthClosure.objects.filter(commune=commune, month__in=months).values_list("month", flat=True)
    )
    return render(
        request,
        "indicators/review.html",
        {"commune": commune, "flags": flags, "months": [(m, m in closed) for m in months]},
    )


@login_required
@require_GET
def team(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A team's own page: visits, households still to visit in the period, progress."""
    village = _unit(request, unit_id)
    if village.level != Level.VILLAGE:
        raise Http404
    period = period_or_default(request.GET.get("ky"))
    overview = team_overview(village=village, period=period)
    page = Paginator(overview["to_visit"], 30).get_page(request.GET.get("trang"))
    return render(
        request,
        "indicators/team.html",
        {
            "village": village,
            "period": period,
            "overview": overview,
            "page": page,
            "periods": _period_choices(),
        },
    )


@login_required
def legacy_import(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Figures recorded before the 2025 reorganisation, from a CSV or XLSX file: upload →
    preview with a report per row → confirm (all or nothing). Province and national
    officers only; any other viewer gets a 404."""
    province = _unit(request, unit_id)
    if province is None or not legacy_import_allowed(user=request.user, province=province):
        raise Http404
    report, payload, filename, error = None, "", "", ""
    if request.method == "POST":
        data = None
        if request.POST.get("confirm"):
            filename = request.POST.get("filename", "so-lieu.csv")
            try:
                data = base64.b64decode(request.POST.get("payload", ""), validate=True)
            except (ValueError, binascii.Error):
                error = _("Không đọc được tệp đã kiểm tra. Hãy chọn lại tệp.")
        else:
            upload = request.FILES.get("file")
            if upload is None:
                error = _("Hãy chọn một tệp CSV hoặc XLSX.")
            elif upload.size > MAX_UPLOAD_BYTES:
                error = _("Tệp lớn hơn 5 MB. Hãy chia thành nhiều tệp nhỏ hơn.")
            else:
                data, filename = upload.read(), upload.name
        if data is not None:
            try:
                table = table_read(data=data, filename=filename)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                confirm = bool(request.POST.get("confirm"))
                report = legacy_figures_import(
                    by=request.user, province=province, table=table, confirm=confirm
                )
                if confirm and report.written:
                    messages.success(
                        request,
                        _("Đã nhập %(n)d số liệu cũ. Các biểu đồ sẽ có số liệu này sau lần tổng hợp lại tới.")
                        % {"n": report.written},
                    )
                    return redirect("indicators:legacy_import", unit_id=province.pk)
                payload = base64.b64encode(data).decode("ascii")
    return render(
        request,
        "indicators/legacy_import.html",
        {
            "unit": province,
            "report": report,
            "payload": payload,
            "filename": filename,
            "error": error,
            "columns": ",".join(LEGACY_COLUMNS),
        },
    )
