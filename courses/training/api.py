"""JSON API for mandatory training. Mounted at /api/v1/training (token or session).

- GET /assignments: the caller's own assignments (this year's and later).
- GET /plans/{id}/assignments: for training managers, the plan's assignments of people
  in the agencies they manage (others: 403; a plan they may not see: 404). Each answer
  writes one row to the audit log (lms.audit: who, which plan, when, why).
Errors are JSON {"detail", "code", "errors"} (lms.core.errors).
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from lms import audit

from . import selectors
from .models import PlanAssignment

router = Router(tags=["training"])

PLAN_PURPOSE = "Quản lý bồi dưỡng cán bộ, công chức"


class AssignmentOut(Schema):
    id: int
    plan_id: int
    plan_name: str
    year: int
    status: str
    items_required: int
    items_done: int
    due_on: datetime.date
    due_before: datetime.datetime = Field(description="Thời điểm đầu tiên bị tính là trễ hạn")
    overdue: bool
    completed_at: datetime.datetime | None
    completed_on_time: bool | None
    extended_to: datetime.date | None


class ManagedAssignmentOut(AssignmentOut):
    user_id: int
    full_name: str
    agency_id: int
    agency_name: str
    position: str | None
    category: str
    left_on: datetime.date | None


class AssignmentFilters(Schema):
    status: PlanAssignment.Status | None = None
    overdue: bool = False


def _user(request):
    # request.user, not request.auth: with a bearer token, request.auth is the APIToken
    # (lms.core.auth sets request.user to its owner); with the session, the user.
    user = request.user
    return user if getattr(user, "is_authenticated", False) else None


def _out(a: PlanAssignment, now: datetime.datetime) -> dict:
    return {
        "id": a.pk,
        "plan_id": a.plan_id,
        "plan_name": a.plan.name,
        "year": a.plan.year,
        "status": a.status,
        "items_required": a.items_required,
        "items_done": a.items_done,
        "due_on": a.due_on,
        "due_before": a.due_before,
        "overdue": a.is_overdue(now),
        "completed_at": a.completed_at,
        "completed_on_time": (a.completed_at < a.due_before) if a.completed_at else None,
        "extended_to": a.extended_to,
    }


@router.get("/assignments", response=list[AssignmentOut], summary="Kế hoạch bồi dưỡng của tôi")
def my_assignments(request):
    user = _user(request)
    now = timezone.now()
    rows = (
        PlanAssignment.objects.filter(
            user=user, plan__year__gte=timezone.localdate().year, left_on__isnull=True
        )
        .select_related("plan")
        .order_by("due_on", "pk")
    )
    return [_out(a, now) for a in rows]


class _Rows:
    """Serialises only the page that pagination slices."""

    def __init__(self, queryset):
        self.queryset, self.now = queryset, timezone.now()

    def __len__(self):
        return self.queryset.count()

    def __getitem__(self, item):
        return [
            {
                **_out(a, self.now),
                "user_id": a.user_id,
                "full_name": a.user.display_name,
                "agency_id": a.agency_id,
                "agency_name": a.agency.name,
                "position": a.position.name if a.position_id else None,
                "category": a.category,
                "left_on": a.left_on,
            }
            for a in self.queryset[item]
        ]


@router.get(
    "/plans/{int:plan_id}/assignments",
    response=list[ManagedAssignmentOut],
    summary="Người được giao một kế hoạch (trong phạm vi quản lý)",
)
@paginate(PageNumberPagination, page_size=100)
def plan_assignments(request, plan_id: int, filters: Query[AssignmentFilters]):
    user = _user(request)
    if not selectors.is_training_manager(user=user):
        raise PermissionDenied(_("Bạn không có quyền quản lý bồi dưỡng."))
    plan = selectors.plans_visible_to(user=user).filter(pk=plan_id).first()
    if plan is None:
        raise Http404(_("Không tìm thấy kế hoạch."))
    rows = selectors.plan_assignments_visible_to(
        user=user, plan=plan, status=filters.status or "", overdue=filters.overdue
    ).select_related("plan")
    # Names, agencies, positions of the people in scope: one audit row per request (the
    # page asked for), written before the page is read, as the views do.
    audit.record(
        actor=user,
        action=audit.PERSONAL_DATA_VIEW,
        target=plan,
        purpose=PLAN_PURPOSE,
        request=request,
        detail={
            "method": request.method,
            "page": request.GET.get("page", "1")[:20],
            "status": filters.status or "",
            "overdue": filters.overdue,
        },
    )
    return _Rows(rows)
