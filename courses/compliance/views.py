"""Compliance dashboard for training managers: thin views over the selectors.

Every view resolves the agency through `compliance_agencies_for(user)`: an agency outside
the manager's subtree is a 404, never a page."""

import datetime
import logging

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lms import audit
from lms.core.replicas import use_replica
from lms.organisations.models import Agency

from . import exports
from .selectors import (
    compliance_agencies_for,
    compliance_for_agency,
    compliance_roots_for,
    dti_evidence_for_agency,
    people_for_agency,
)

logger = logging.getLogger("lms.personal_data")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("nam", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _plan_id(request: HttpRequest) -> int | None:
    try:
        return int(request.GET.get("ke-hoach", "")) or None
    except ValueError:
        return None


def _agency(request: HttpRequest, agency_id: int) -> Agency:
    return get_object_or_404(compliance_agencies_for(user=request.user), pk=agency_id)


def _filename(prefix: str, agency: Agency, year: int, ext: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{prefix}-{agency.code}-{year}-{stamp}.{ext}".replace(" ", "_")


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
@use_replica
def home(request: HttpRequest) -> HttpResponse:
    roots = compliance_roots_for(user=request.user)
    if len(roots) == 1:
        return redirect("compliance:agency", agency_id=roots[0].pk)
    return render(request, "compliance/home.html", {"roots": roots}, status=200 if roots else 403)


@login_required
@require_GET
@use_replica
def agency_dashboard(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = _agency(request, agency_id)
    year = _year(request)
    report = compliance_for_agency(agency=agency, year=year, plan_id=_plan_id(request))
    ancestors = [a for a in compliance_agencies_for(user=request.user).filter(
        pk__in=[int(p) for p in agency.path.strip("/").split("/")[:-1] if p]).only("id", "name", "path")]
    ancestors.sort(key=lambda a: len(a.path))
    this_year = timezone.localdate().year
    return render(request, "compliance/agency.html", {
        "report": report, "agency": agency, "ancestors": ancestors,
        "years": list(range(this_year + 1, this_year - 5, -1)),
        "query": request.GET.urlencode(),
        "trend": {
            "labels": [month_label(m.month, year) for m in report.months],
            "assigned": [m.assigned for m in report.months],
            "on_time": [m.on_time for m in report.months],
            "late": [m.late for m in report.months],
            "overdue": [m.overdue for m in report.months],
            "names": {"assigned": _("Được giao"), "on_time": _("Hoàn thành đúng hạn"),
                      "late": _("Hoàn thành muộn"), "overdue": _("Quá hạn")},
        },
    })


@audit.audited(purpose="Theo dõi hoàn thành bồi dưỡng bắt buộc", target=("organisations.agency", "agency_id"))
@login_required
@require_GET
@use_replica
def agency_people(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = _agency(request, agency_id)
    year = _year(request)
    plan_id = _plan_id(request)
    page = Paginator(people_for_agency(agency=agency, year=year, plan_id=plan_id), 50).get_page(
        request.GET.get("trang"))
    # Names of people: access to personal data is logged (who, whose list, which page).
    logger.info("compliance.people viewed by user %s: agency %s, year %s, page %s",
                request.user.pk, agency.pk, year, page.number)
    now = timezone.now()
    rows = [{"a": a, "overdue": a.is_overdue(now), "counted": a.counted} for a in page.object_list]
    query = request.GET.copy()
    query.pop("trang", None)
    return render(request, "compliance/people.html", {
        "agency": agency, "year": year, "page": page, "rows": rows, "query": query.urlencode(),
    })


@audit.audited(purpose="Theo dõi hoàn thành bồi dưỡng bắt buộc", target=("organisations.agency", "agency_id"))
@login_required
@require_GET
@use_replica
def agency_export(request: HttpRequest, agency_id: int, fmt: str) -> HttpResponse:
    agency = _agency(request, agency_id)
    year = _year(request)
    report = compliance_for_agency(agency=agency, year=year, plan_id=_plan_id(request))
    if fmt == "xlsx":
        return _attachment(exports.compliance_xlsx(report=report), XLSX,
                           _filename("tuan-thu", agency, year, "xlsx"))
    if fmt == "pdf":
        return _attachment(exports.compliance_pdf(report=report), "application/pdf",
                           _filename("tuan-thu", agency, year, "pdf"))
    raise Http404


@login_required
@require_GET
@use_replica
def agency_dti(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = _agency(request, agency_id)
    report = dti_evidence_for_agency(agency=agency, year=_year(request))
    return render(request, "compliance/dti.html", {"report": report, "agency": agency,
                                                   "query": request.GET.urlencode()})


@login_required
@require_GET
@use_replica
def agency_dti_export(request: HttpRequest, agency_id: int, fmt: str) -> HttpResponse:
    agency = _agency(request, agency_id)
    year = _year(request)
    report = dti_evidence_for_agency(agency=agency, year=year)
    if fmt == "xlsx":
        return _attachment(exports.dti_xlsx(report=report), XLSX, _filename("dti", agency, year, "xlsx"))
    if fmt == "pdf":
        return _attachment(exports.dti_pdf(report=report), "application/pdf",
                           _filename("dti", agency, year, "pdf"))
    raise Http404


def month_label(month: int, year: int) -> str:
    return datetime.date(year, month, 1).strftime("%m/%Y")
