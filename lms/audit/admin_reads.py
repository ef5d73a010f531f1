"""Reads of personal data through the administration sites: Wagtail's user admin and the
Django admin's learner records (quiz attempts and answers, accounts). Our own pages and
API operations write their audit rows themselves; these pages are not ours, so this
middleware writes one row per page served (issue 9: every access to personal data is
logged, who, what, when, why). The paths are AUDIT_ADMIN_PERSONAL_DATA_PATHS."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import AuditAction
from .services import record

PURPOSE = _("Quản trị nền tảng")


class AdminReadAuditMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "AUDIT_ADMIN_PERSONAL_DATA_PATHS", ()))

    def __call__(self, request):
        response = self.get_response(request)
        if (
            self.prefixes
            and request.method in ("GET", "HEAD")
            and response.status_code == 200
            and request.path.startswith(self.prefixes)
            and getattr(getattr(request, "user", None), "is_authenticated", False)
        ):
            record(
                actor=request.user,
                action=AuditAction.PERSONAL_DATA_VIEW,
                purpose=PURPOSE,
                request=request,
                detail={"via": "admin"},
            )
        return response
