"""Pages: the privacy notice (public), "my data" (download, ask for erasure), and the
administrators' queue of erasure requests with a per-person export."""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lms import audit

from . import services
from .models import NOTICE_VERSION, ConsentRecord, ErasureRequest
from .registry import retention_rules

PAGE_SIZE = 25


def _audit(request, action: str, target, purpose: str) -> None:
    """Personal data was read: who, what, when, why (lms.audit)."""
    audit.record(actor=request.user, action=action, target=target, purpose=purpose, request=request)


def notice(request):
    return render(request, "privacy/notice.html", {
        "version": NOTICE_VERSION, "retention_rules": list(retention_rules()),
    })


def _export_response(data: dict, person_id: int) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="du-lieu-ca-nhan-{person_id}-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "download":
            _audit(request, audit.PERSONAL_DATA_EXPORT, user, _("Người dùng tải dữ liệu của chính mình"))
            return _export_response(services.personal_data_export(user=user), user.pk)
        if action == "erase":
            if request.POST.get("confirm") != "yes":
                messages.error(request, _("Hãy đánh dấu ô xác nhận trước khi gửi yêu cầu xoá."))
            else:
                try:
                    services.erasure_request_create(user=user, reason=request.POST.get("reason", ""))
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                else:
                    messages.success(
                        request, _("Đã gửi yêu cầu xoá dữ liệu. Quản trị viên sẽ xử lý và báo lại.")
                    )
            return redirect("privacy:my_data")
        if action in ConsentRecord.Purpose.values and request.POST.get("withdraw") == "1":
            services.consent_withdraw(user=user, purpose=action)
            messages.success(request, _("Đã rút lại sự đồng ý."))
            return redirect("privacy:my_data")
    return render(request, "privacy/my_data.html", {
        "consents": ConsentRecord.objects.filter(user=user).order_by("-given_at"),
        "pending": ErasureRequest.objects.filter(user=user, status=ErasureRequest.Status.PENDING).first(),
        "sections": [s.label for s in services.sections()],
    })


def _admin_only(request):
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    if not services.user_is_privacy_admin(request.user):
        raise PermissionDenied
    return None


@require_http_methods(["GET"])
def requests_list(request):
    if (denied := _admin_only(request)) is not None:
        return denied
    status = request.GET.get("status", ErasureRequest.Status.PENDING)
    if status not in ErasureRequest.Status.values:
        status = ErasureRequest.Status.PENDING
    queryset = ErasureRequest.objects.filter(status=status).select_related("user", "handled_by")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "privacy/requests.html", {
        "page": page, "status": status, "statuses": ErasureRequest.Status.choices,
    })


@require_POST
def request_handle(request, request_id: int):
    if (denied := _admin_only(request)) is not None:
        return denied
    get_object_or_404(ErasureRequest, pk=request_id)
    try:
        done = services.erasure_request_handle(
            request_id=request_id, by=request.user, approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if done.status == ErasureRequest.Status.DONE:
            messages.success(request, _("Đã xoá dữ liệu nhận diện của người yêu cầu (%(n)s bản ghi).")
                             % {"n": done.rows_touched})
        else:
            messages.success(request, _("Đã từ chối yêu cầu và ghi lý do."))
    return redirect("privacy:requests")


@require_POST
def person_export(request, user_id: int):
    """An administrator exports everything held about one person (e.g. to answer a
    request made on paper); the purpose is required and goes to the audit log."""
    if (denied := _admin_only(request)) is not None:
        return denied
    person = get_object_or_404(get_user_model(), pk=user_id)
    purpose = request.POST.get("purpose", "").strip()
    if not purpose:
        messages.error(request, _("Hãy ghi mục đích xuất dữ liệu của người này."))
        return redirect("privacy:requests")
    _audit(request, audit.PERSONAL_DATA_EXPORT, person, purpose)
    return _export_response(services.personal_data_export(user=person), person.pk)
