"""Certificate pages: public verification, the learner's list and download, staff actions,
and the JSON documents of Open Badges (credential and issuer)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from courses.certificates import badges
from courses.certificates.codes import code_normalise
from courses.certificates.models import Certificate
from courses.certificates.selectors import (
    certificate_by_code,
    certificate_can_manage,
    certificates_of_learner,
    verification_url,
)
from courses.certificates.services import REASON_MAX_LENGTH, certificate_reissue, certificate_revoke

JSON_PARAMS = {"ensure_ascii": False, "indent": 2}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Hãy ghi lý do.")},
    )


def _not_found(request: HttpRequest, code: str = "") -> HttpResponse:
    return render(request, "certificates/not_found.html", {"code": code}, status=404)


def lookup(request: HttpRequest) -> HttpResponse:
    """/chung-chi/?ma=…: type a code (as printed, with or without dashes) to check it."""
    raw = request.GET.get("ma", "").strip()
    if raw:
        code = code_normalise(raw)
        if code is None:
            return render(request, "certificates/lookup.html", {
                "raw": raw, "error": _("Mã chứng nhận gồm 12 chữ và số, ví dụ ABCD-EFGH-JKMN.")}, status=400)
        return redirect("certificates:verify", code=code)
    return render(request, "certificates/lookup.html", {"raw": ""})


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: whether the certificate stands, with only the name, course, dates and
    competences. Its owner also sees the PDF's state and the download link."""
    certificate = certificate_by_code(code=code)
    if certificate is None:
        return _not_found(request, code)
    if certificate.code != code:
        return redirect("certificates:verify", code=certificate.code)
    is_owner = request.user.is_authenticated and request.user.pk == certificate.learner_id
    context = {
        "certificate": certificate,
        "is_owner": is_owner,
        "can_manage": certificate_can_manage(user=request.user),
        "replaced_by": getattr(certificate, "replaced_by", None),
        "preparing": is_owner and certificate.is_valid
        and certificate.pdf_state != Certificate.PdfState.READY,
        "verification_url": verification_url(code=certificate.code),
    }
    response = render(request, "certificates/verify.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """"Chứng nhận của tôi": the learner's certificates, 20 a page."""
    page = Paginator(certificates_of_learner(learner=request.user), 20).get_page(request.GET.get("trang"))
    return render(request, "certificates/mine.html", {"page_obj": page, "certificates": page.object_list})


@login_required
def download(request: HttpRequest, code: str) -> HttpResponse:
    """The PDF, to its owner only."""
    certificate = certificate_by_code(code=code)
    if certificate is None:
        return _not_found(request, code)
    if certificate.learner_id != request.user.pk:
        return render(request, "certificates/forbidden.html", status=403)
    if certificate.pdf_state != Certificate.PdfState.READY or not certificate.pdf:
        messages.info(request, _("Đang chuẩn bị chứng nhận… Hãy tải lại trang sau ít phút."))
        return redirect("certificates:verify", code=certificate.code)
    return FileResponse(certificate.pdf.open("rb"), as_attachment=True,
                        filename=f"chung-nhan-{certificate.code}.pdf", content_type="application/pdf")


def badge(request: HttpRequest, code: str) -> HttpResponse:
    """Public: the signed OpenBadgeCredential (JSON). A revoked certificate answers 410."""
    certificate = certificate_by_code(code=code)
    if certificate is None:
        return JsonResponse({"detail": _("Không có chứng nhận nào mang mã này."), "code": "not_found",
                             "errors": []}, status=404, json_dumps_params=JSON_PARAMS)
    if not certificate.is_valid:
        return JsonResponse({"detail": _("Chứng nhận này đã bị thu hồi."), "code": "revoked",
                             "revokedAt": badges._utc(certificate.revoked_at), "errors": []},
                            status=410, json_dumps_params=JSON_PARAMS)
    credential = badges.certificate_credential(certificate=certificate)
    response = JsonResponse(credential, json_dumps_params=JSON_PARAMS)
    if request.GET.get("tai-ve"):
        response["Content-Disposition"] = f'attachment; filename="chung-nhan-{certificate.code}.json"'
    return response


def issuer(request: HttpRequest) -> HttpResponse:
    """Public: the issuer profile with the key that signs every badge."""
    response = JsonResponse(badges.issuer_profile(), json_dumps_params=JSON_PARAMS)
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- Staff -----------------------------------------------------------------------------------


@login_required
def staff(request: HttpRequest) -> HttpResponse:
    """Find a certificate by code; revoke or re-issue it."""
    if not certificate_can_manage(user=request.user):
        return render(request, "certificates/forbidden.html", status=403)
    raw = request.GET.get("ma", "").strip()
    certificate = certificate_by_code(code=raw) if raw else None
    status = 404 if raw and certificate is None else 200
    return render(request, "certificates/staff.html", {
        "raw": raw, "certificate": certificate, "form": ReasonForm(),
        "history": _history(certificate) if certificate else [],
    }, status=status)


def _history(certificate: Certificate) -> list[Certificate]:
    same = Certificate.objects.filter(completion_id=certificate.completion_id)
    return list(same.order_by("-issued_at", "-id"))


@login_required
@require_POST
def staff_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    if not certificate_can_manage(user=request.user):
        return render(request, "certificates/forbidden.html", status=403)
    certificate = certificate_by_code(code=code)
    if certificate is None:
        return _not_found(request, code)
    form = ReasonForm(request.POST)
    if form.is_valid():
        service = {"thu-hoi": certificate_revoke, "cap-lai": certificate_reissue}.get(action)
        if service is None:
            raise Http404
        try:
            result = service(certificate=certificate, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        except PermissionDenied:
            return render(request, "certificates/forbidden.html", status=403)
        else:
            if action == "thu-hoi":
                messages.success(request, _("Đã thu hồi chứng nhận %(code)s.") % {
                    "code": certificate.code_display})
            else:
                messages.success(request, _("Đã cấp lại: chứng nhận mới %(new)s thay cho %(old)s.") % {
                    "new": result.code_display, "old": certificate.code_display})
            return redirect(reverse("certificates:staff") + f"?ma={result.code}")
    return render(request, "certificates/staff.html", {
        "raw": certificate.code, "certificate": certificate, "form": form, "action": action,
        "history": _history(certificate),
    }, status=400)
