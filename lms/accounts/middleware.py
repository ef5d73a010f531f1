"""Account middleware: two-factor enrolment for those who need it; security headers."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .mfa import has_totp, mfa_required_for

# What a person without an authenticator app may still reach: the pages that set it up
# (allauth.mfa, and the password re-entry it asks for), logging out, switching language,
# the site's static files and health checks.
ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    # allauth refuses to add an app while an e-mail address is unverified: let them fix it.
    "/accounts/email/",
    "/accounts/confirm-email/",
    "/accounts/logout/",
    "/i18n/",
    "/static/",
    "/media/",
    "/healthz",
    "/readyz",
    "/favicon",
    "/jsi18n/",
)
# Session keys: the second factor was proved (at login or by enrolling) in this session;
# when the person was last found not to need it (checked again after RECHECK seconds,
# so a role granted during a session takes effect).
SESSION_OK = "lms_mfa_ok"
SESSION_NOT_NEEDED_AT = "lms_mfa_not_needed_at"
RECHECK = 300


def mark_mfa_proved(request: HttpRequest) -> None:
    request.session[SESSION_OK] = True


def _proved_in_session(request: HttpRequest) -> bool:
    """The code was typed in this session: at login (allauth records an "mfa"
    authentication), or by setting up the app after logging in (the app is younger than
    the session's first authentication)."""
    from allauth.account.authentication import get_authentication_records
    from allauth.mfa.models import Authenticator

    records = get_authentication_records(request, request.user)
    if any(r.get("method") == "mfa" for r in records):
        return True
    started = min((r["at"] for r in records if r.get("at")), default=None)
    if started is None:
        return False
    totp = Authenticator.objects.filter(user_id=request.user.pk, type=Authenticator.Type.TOTP).first()
    return totp is not None and totp.created_at.timestamp() >= started


class MfaRequiredMiddleware:
    """For a person who must use two-factor authentication (lms.accounts.mfa):

    - without an authenticator app: every page sends them to set one up (the API
      answers 403 with code "mfa_required");
    - with one, in a session that never asked for the code (a login path that skipped
      allauth's stage): the session is ended and they log in again, code included.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if not getattr(settings, "LMS_MFA_REQUIRED", True):
            return self.get_response(request)  # nothing to check, and no session write
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(SESSION_OK)
            and not request.path.startswith(ALLOWED_PREFIXES)
            and time.time() - request.session.get(SESSION_NOT_NEEDED_AT, 0) > RECHECK
        ):
            if not mfa_required_for(user):
                request.session[SESSION_NOT_NEEDED_AT] = time.time()
            elif not has_totp(user):
                return self._enrol(request)
            elif _proved_in_session(request):
                mark_mfa_proved(request)
            else:
                return self._login_again(request)
        return self.get_response(request)

    def _enrol(self, request: HttpRequest):
        message = _(
            "Vai trò của bạn bắt buộc xác thực hai lớp. Hãy cài ứng dụng xác thực "
            "(ví dụ Google Authenticator, Microsoft Authenticator) trước khi tiếp tục."
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "mfa_required"}, status=403)
        messages.warning(request, message)
        return redirect("mfa_activate_totp")

    def _login_again(self, request: HttpRequest):
        logout(request)
        message = _("Hãy đăng nhập lại và nhập mã từ ứng dụng xác thực.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "mfa_required"}, status=403)
        messages.warning(request, message)
        return redirect(f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}")


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response (settings.PERMISSIONS_POLICY); Django's own
    middleware sends the other security headers."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        policy = getattr(settings, "PERMISSIONS_POLICY", {})
        self.header = ", ".join(f"{feature}={allow}" for feature, allow in policy.items())

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response
