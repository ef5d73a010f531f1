"""Staff pages: upload a question file, preview the report, confirm; download an export.

No JavaScript: the upload runs a dry run and shows the report; the file waits in storage
(named by a random token kept in the staff member's session) until they confirm with a
mode, or upload another. Import needs `quizzes.add_question`; export `quizzes.view_question`.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ..models import QuestionCategory
from .neutral import category_paths, join_path
from .services import (
    CONTENT_TYPES,
    FORMATS,
    MAX_FILE_BYTES,
    MODES,
    PENDING_DIR,
    export_filename,
    questions_export,
    questions_import,
)

SESSION_KEY = "quizzes_pending_import"
FORMAT_LABELS = {
    "auto": gettext_lazy("Tự nhận biết theo tên tệp"),
    "csv": "CSV",
    "xlsx": gettext_lazy("Excel (XLSX)"),
    "moodle": "Moodle XML",
    "gift": "GIFT",
}


def _url(request: HttpRequest, name: str) -> str:
    namespace = request.resolver_match.namespace if request.resolver_match else "quizzes"
    return reverse(f"{namespace}:{name}")


def _categories() -> list[tuple[int, str]]:
    paths = category_paths()
    return sorted(((pk, join_path(path)) for pk, path in paths.items()), key=lambda item: item[1])


def _category(raw: str | None) -> QuestionCategory | None:
    if not raw or not raw.isdigit():
        return None
    return QuestionCategory.objects.filter(pk=int(raw)).first()


def _context(request: HttpRequest, **extra) -> dict:
    return {
        "formats": [(key, FORMAT_LABELS[key]) for key in ("auto", *FORMATS)],
        "export_formats": [(key, FORMAT_LABELS[key]) for key in FORMATS],
        "categories": _categories(),
        "max_mb": MAX_FILE_BYTES // (1024 * 1024),
        "form_url": _url(request, "questions_import"),
        "export_url": _url(request, "questions_export"),
        **extra,
    }


def _forget_pending(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending and default_storage.exists(pending["path"]):
        default_storage.delete(pending["path"])


@login_required
@require_http_methods(["GET", "POST"])
def questions_import_page(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("quizzes.add_question"):
        raise PermissionDenied
    if request.method == "GET":
        return render(request, "quizzes/question_import.html", _context(request))
    if "confirm" in request.POST:
        return _confirm(request)

    upload = request.FILES.get("file")
    fmt = request.POST.get("format", "auto")
    mode = request.POST.get("mode", "all_or_nothing")
    if fmt not in ("auto", *FORMATS) or mode not in MODES:
        return render(
            request,
            "quizzes/question_import.html",
            _context(request, error=_("Lựa chọn không hợp lệ.")),
            status=400,
        )
    if upload is None:
        context = _context(request, error=_("Hãy chọn một tệp câu hỏi để tải lên."))
        return render(request, "quizzes/question_import.html", context, status=400)
    if upload.size > MAX_FILE_BYTES:
        context = _context(
            request, error=_("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
        return render(request, "quizzes/question_import.html", context, status=400)
    data = upload.read()
    base = _category(request.POST.get("category"))
    report = questions_import(
        data=data, format=fmt, filename=upload.name, base_category=base, mode=mode, dry_run=True
    )
    if report.file_error:
        context = _context(request, error=report.file_error, filename=upload.name)
        return render(request, "quizzes/question_import.html", context, status=400)
    _forget_pending(request)
    token = secrets.token_urlsafe(16)
    path = default_storage.save(f"{PENDING_DIR}/{token}", ContentFile(data))
    request.session[SESSION_KEY] = {
        "token": token,
        "path": path,
        "filename": upload.name[:200],
        "format": report.format,
        "category": base.pk if base else None,
    }
    context = _context(request, report=report, preview=True, token=token, filename=upload.name, mode=mode)
    return render(request, "quizzes/question_import.html", context)


def _confirm(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(SESSION_KEY)
    mode = request.POST.get("mode", "all_or_nothing")
    if not pending or request.POST.get("token") != pending["token"] or mode not in MODES:
        messages.error(request, _("Không tìm thấy tệp đang chờ nhập; hãy tải tệp lên lại."))
        return redirect(_url(request, "questions_import"))
    if not default_storage.exists(pending["path"]):
        request.session.pop(SESSION_KEY, None)
        messages.error(request, _("Không tìm thấy tệp đang chờ nhập; hãy tải tệp lên lại."))
        return redirect(_url(request, "questions_import"))
    with default_storage.open(pending["path"], "rb") as handle:
        data = handle.read()
    report = questions_import(
        data=data,
        format=pending["format"],
        filename=pending["filename"],
        base_category=_category(str(pending["category"] or "")),
        mode=mode,
    )
    if report.written:
        _forget_pending(request)
        messages.success(
            request,
            _("Đã nhập %(n)s câu hỏi từ “%(f)s”.") % {"n": report.written, "f": pending["filename"]},
        )
    else:
        messages.error(request, _("Không nhập câu hỏi nào: tệp còn câu lỗi."))
    context = _context(
        request,
        report=report,
        preview=not report.written,
        token=pending["token"],
        filename=pending["filename"],
    )
    return render(request, "quizzes/question_import.html", context, status=200 if report.written else 400)


@login_required
@require_http_methods(["GET"])
def questions_export_page(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("quizzes.view_question"):
        raise PermissionDenied
    fmt = request.GET.get("format", "")
    raw_category = request.GET.get("category", "")
    category = _category(raw_category)
    if fmt not in FORMATS or (raw_category and category is None):
        context = _context(request, error=_("Hãy chọn định dạng và nhóm câu hỏi có trong danh sách."))
        return render(request, "quizzes/question_import.html", context, status=400)
    response = HttpResponse(questions_export(format=fmt, category=category), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="{export_filename(format=fmt, category=category)}"'
    )
    return response
