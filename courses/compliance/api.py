"""JSON API of compliance figures. Mounted at /api/v1/compliance (lms/api.py).

Same selector as the dashboard and the exports; an agency outside the caller's scope is
a JSON 404, exactly like one that does not exist."""

import datetime

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from .selectors import compliance_agencies_for, compliance_for_agency

router = Router(tags=["compliance"])


class FiguresOut(Schema):
    assigned: int
    completed: int
    on_time: int
    late: int
    in_progress: int
    not_started: int
    overdue: int
    exempt: int


class GroupOut(Schema):
    id: int | str | None
    name: str
    figures: FiguresOut


class MonthOut(Schema):
    month: int
    assigned: int
    completed: int
    on_time: int
    late: int
    overdue: int


class WeakOut(Schema):
    code: str
    title: str
    with_target: int
    below: int
    below_percent: int


class AgencyComplianceOut(Schema):
    agency_id: int
    agency_name: str
    year: int
    plan_id: int | None
    date_from: datetime.date
    date_to: datetime.date
    refreshed_at: datetime.datetime | None
    overdue_as_of: datetime.datetime
    totals: FiguresOut
    direct: FiguresOut
    children: list[GroupOut]
    by_position: list[GroupOut]
    by_category: list[GroupOut]
    months: list[MonthOut]
    weakest_competences: list[WeakOut]


class ComplianceQuery(Schema):
    year: int | None = None
    plan: int | None = None


@router.get("/agencies/{int:agency_id}", response=AgencyComplianceOut,
            summary="Số liệu tuân thủ bồi dưỡng của một cơ quan (gồm cấp dưới)")
def agency_compliance(request: HttpRequest, agency_id: int, filters: Query[ComplianceQuery]):
    year = filters.year or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise HttpError(422, _("Năm không hợp lệ: nhập năm từ 2000 đến 2100."))
    agency = compliance_agencies_for(user=request.user).filter(pk=agency_id).first()
    if agency is None:
        raise Http404(_("Không tìm thấy cơ quan trong phạm vi của bạn."))
    report = compliance_for_agency(agency=agency, year=year, plan_id=filters.plan)

    def group(row):
        return {"id": row.key, "name": row.label, "figures": row.figures.as_dict()}

    return {
        "agency_id": agency.pk, "agency_name": agency.name, "year": year,
        "plan_id": report.plan.pk if report.plan else None,
        "date_from": report.date_from, "date_to": report.date_to,
        "refreshed_at": report.refreshed_at, "overdue_as_of": report.now,
        "totals": report.totals.as_dict(), "direct": report.direct.as_dict(),
        "children": [group(r) for r in report.children],
        "by_position": [group(r) for r in report.by_position],
        "by_category": [group(r) for r in report.by_category],
        "months": [{"month": m.month, "assigned": m.assigned, "completed": m.completed, "on_time": m.on_time,
                    "late": m.late, "overdue": m.overdue} for m in report.months],
        "weakest_competences": [{"code": w.code, "title": w.title, "with_target": w.with_target,
                                 "below": w.below, "below_percent": w.below_percent} for w in report.weakest],
    }
