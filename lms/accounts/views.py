"""Our account pages: the profile, and the password reset by SMS code.

allauth resets a password only by e-mail; people who signed up with a phone number
reset it here: enter the number, receive a 6-digit code by SMS, enter the code and a
new password. The code, the account and the attempts live in the session (like
allauth's own code flows), never in the browser.
"""

import functools
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import ratelimit as lms_ratelimit
from . import services
from .forms import PhonePasswordResetConfirmForm, PhonePasswordResetRequestForm, ProfileForm
from .models import User
from .phone import phone_display

PHONE_RESET_SESSION_KEY = "accounts_phone_password_reset"


def rate_limited_as_429(view):
    """allauth raises RateLimited from inside some flows (sending an SMS code) instead
    of answering 429: turn it into the 429 page rather than a server error."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ratelimit.RateLimited:
            return ratelimit.respond_429(request)

    return wrapper


# --- Profile ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.user_profile_update(
                user=user,
                full_name=form.cleaned_data["full_name"],
                preferred_language=form.cleaned_data["preferred_language"],
            )
            translation.activate(user.preferred_language)
            messages.success(request, _("Đã lưu thông tin của bạn."))
            response = redirect("accounts:profile")
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.preferred_language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
            return response
        status = 400
    else:
        form = ProfileForm(
            initial={"full_name": user.full_name, "preferred_language": user.preferred_language}
        )
        status = 200
    context = {
        "form": form,
        "phone_display": phone_display(user.phone),
        "email_verified": user.emailaddress_set.filter(email__iexact=user.email, verified=True).exists()
        if user.email
        else False,
    }
    return render(request, "accounts/profile.html", context, status=status)


# --- Password reset by phone -----------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def phone_password_reset(request: HttpRequest) -> HttpResponse:
    form = PhonePasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        limited = ratelimit.consume_or_429(request, action="reset_password", key=phone)
        if limited:
            return limited
        if not lms_ratelimit.consume(request, action="phone_code_send", key=phone):
            return lms_ratelimit.too_many(request)
        code = get_adapter(request).generate_password_reset_code()
        user = services.password_reset_code_send(phone=phone, code=code)
        if user is None:
            # Enumeration prevention is off site-wide (ACCOUNT_PREVENT_ENUMERATION).
            form.add_error("phone", _("Không có tài khoản nào dùng số điện thoại này."))
        else:
            request.session[PHONE_RESET_SESSION_KEY] = {
                "user_id": user.pk,
                "phone": user.phone,
                "code": code,
                "at": time.time(),
                "failed_attempts": 0,
            }
            messages.info(
                request, _("Đã gửi mã đặt lại mật khẩu tới số %(phone)s.") % {"phone": phone_display(phone)}
            )
            return redirect("accounts:phone_password_reset_confirm")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/phone_password_reset.html", {"form": form}, status=status)


def _phone_reset_state(request: HttpRequest) -> dict | None:
    state = request.session.get(PHONE_RESET_SESSION_KEY)
    if not state:
        return None
    if time.time() - state["at"] > account_settings.PASSWORD_RESET_BY_CODE_TIMEOUT:
        request.session.pop(PHONE_RESET_SESSION_KEY, None)
        return None
    return state


@never_cache
@require_http_methods(["GET", "POST"])
def phone_password_reset_confirm(request: HttpRequest) -> HttpResponse:
    state = _phone_reset_state(request)
    user = User.objects.filter(pk=state["user_id"], is_active=True).first() if state else None
    if user is None:
        messages.error(request, _("Mã đã hết hạn hoặc chưa được gửi. Hãy yêu cầu mã mới."))
        return redirect("accounts:phone_password_reset")
    form = PhonePasswordResetConfirmForm(request.POST or None, expected_code=state["code"], user=user)
    if request.method == "POST":
        if not lms_ratelimit.consume(request, action="phone_code_verify", key=f"user:{user.pk}"):
            return lms_ratelimit.too_many(request)
        if form.is_valid():
            services.user_password_set(user=user, password=form.cleaned_data["password1"])
            request.session.pop(PHONE_RESET_SESSION_KEY, None)
            # Receiving the code proves the person holds the number.
            services.user_phone_verify(user=user, phone=state["phone"])
            messages.success(request, _("Đã đổi mật khẩu. Hãy đăng nhập bằng mật khẩu mới."))
            return redirect("account_login")
        if form.has_error("code"):
            state["failed_attempts"] += 1
            if state["failed_attempts"] >= account_settings.PASSWORD_RESET_BY_CODE_MAX_ATTEMPTS:
                request.session.pop(PHONE_RESET_SESSION_KEY, None)
                messages.error(request, _("Bạn đã nhập sai mã quá nhiều lần. Hãy yêu cầu mã mới."))
                return redirect("accounts:phone_password_reset")
            request.session[PHONE_RESET_SESSION_KEY] = state
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "phone_display": phone_display(state["phone"])}
    return render(request, "accounts/phone_password_reset_confirm.html", context, status=status)


def login_redirect(request: HttpRequest) -> HttpResponse:
    """The admin sites' own login pages: sent to allauth's, which asks for the second
    factor (theirs would not)."""
    from urllib.parse import urlencode

    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    url = reverse("account_login")
    return redirect(f"{url}?{urlencode({'next': target})}" if target else url)
