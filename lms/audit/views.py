"""The audit log page and its exports: administrators only."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import exports
from .forms import EventFilterForm
from .models import AuditAction
from .selectors import events_filtered, user_can_read_audit, user_matching, user_names
from .services import record

PAGE_SIZE = 50


def _filtered(request: HttpRequest):
    form = EventFilterForm(request.GET or None)
    if not form.is_valid():
        return form, events_filtered().none() if form.is_bound else events_filtered()
    data = form.cleaned_data
    actor_id = None
    if data["actor"]:
        actor = user_matching(data["actor"])
        actor_id = actor.pk if actor else -1
    events = events_filtered(
        action=data["action"],
        actor_id=actor_id,
        target_type=data["target_type"].strip(),
        target_id=data["target_id"].strip(),
        date_from=data["date_from"],
        date_to=data["date_to"],
    )
    return form, events


def _guard(request: HttpRequest) -> None:
    if not user_can_read_audit(user=request.user):
        raise PermissionDenied


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    _guard(request)
    form, events = _filtered(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    names = user_names(e.actor_id for e in page.object_list)
    rows = [(e, names.get(e.actor_id, "")) for e in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode(),
         "retention_days": settings.AUDIT_RETENTION_DAYS},
        status=status,
    )


@login_required
@require_GET
def event_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _guard(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form, events = _filtered(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        body = exports.events_csv(events)
        content_type = "text/csv; charset=utf-8"
    else:
        body = exports.events_xlsx(events)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    record(
        actor=request.user,
        action=AuditAction.AUDIT_EXPORT,
        purpose=_("Kiểm tra nhật ký truy cập"),
        request=request,
        detail={"format": fmt, "filters": {k: v for k, v in request.GET.items() if v}},
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-{stamp}.{fmt}"'
    return response
