"""django-allauth adapter: e-mail OR Vietnamese phone number, SMS through lms.accounts.sms.

Decision (allauth 65.x): allauth supports phone numbers as a login method and a sign-up
field, but only through adapter methods we implement (storage on User.phone, SMS
sending), and its checks want at least one login method to be *required* at sign-up.
People here have a phone, an e-mail, or both, so both fields are optional in
ACCOUNT_SIGNUP_FIELDS (check account.W001 silenced) and our SignupForm requires one of
the two. Phone numbers are normalised to E.164 in `phone_form_field` (what forms see)
and in `get_user_by_phone` (allauth passes the login text as typed).
"""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services
from .forms import VietnamPhoneField
from .phone import phone_to_e164, user_with_phone
from .sms import send_sms


class AccountAdapter(DefaultAccountAdapter):
    # allauth's own messages are English only (it ships no Vietnamese catalogue):
    # every message a person can meet is restated here with a Vietnamese msgid.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("Tài khoản này đang bị khoá."),
        "cannot_remove_primary_email": _("Không thể xoá địa chỉ e-mail chính của bạn."),
        "duplicate_email": _("Địa chỉ e-mail này đã gắn với tài khoản của bạn."),
        "email_password_mismatch": _("E-mail hoặc mật khẩu không đúng."),
        "phone_password_mismatch": _("Số điện thoại hoặc mật khẩu không đúng."),
        "email_taken": _("Địa chỉ e-mail này đã được dùng cho một tài khoản khác."),
        "enter_current_password": _("Hãy nhập mật khẩu hiện tại của bạn."),
        "incorrect_code": _("Mã xác minh không đúng."),
        "incorrect_password": _("Mật khẩu không đúng."),
        "invalid_or_expired_key": _("Liên kết không hợp lệ hoặc đã hết hạn."),
        "invalid_login": _("Thông tin đăng nhập không hợp lệ."),
        "invalid_password_reset": _("Liên kết đặt lại mật khẩu không hợp lệ hoặc đã được dùng."),
        "max_email_addresses": _("Bạn không thể thêm quá %d địa chỉ e-mail."),
        "phone_taken": _("Số điện thoại này đã được dùng cho một tài khoản khác."),
        # Five wrong passwords for one account from one address (ACCOUNT_RATE_LIMITS).
        "too_many_login_attempts": _(
            "Bạn đã nhập sai mật khẩu quá nhiều lần. Để bảo vệ tài khoản, đăng nhập từ thiết bị "
            "này tạm khoá trong 15 phút. Bạn có thể đặt lại mật khẩu nếu đã quên."
        ),
        "unknown_email": _("Không có tài khoản nào dùng địa chỉ e-mail này."),
        "unknown_phone": _("Không có tài khoản nào dùng số điện thoại này."),
        "unverified_primary_email": _("Địa chỉ e-mail chính của bạn cần được xác minh."),
        "username_blacklisted": _("Không thể dùng tên này."),
        # People never type a username: a login that is neither an e-mail address
        # nor a phone number falls through to this message.
        "username_password_mismatch": _("E-mail, số điện thoại hoặc mật khẩu không đúng."),
        "username_taken": _("Tên này đã được dùng."),
        "select_only_one": _("Chỉ nhập một trong hai: e-mail hoặc số điện thoại."),
        "same_as_current": _("Giá trị mới phải khác giá trị hiện tại."),
        "rate_limited": _("Bạn gửi yêu cầu quá nhanh. Hãy chờ một lát rồi thử lại."),
    }

    # --- Sign-up ----------------------------------------------------------------------
    def populate_username(self, request, user) -> None:
        if not user.username:
            user.username = services.username_generate()

    def save_user(self, request, user, form, commit=True):
        full_name = form.cleaned_data.get("full_name") or ""
        user.full_name = " ".join(full_name.split())
        if getattr(request, "LANGUAGE_CODE", None):
            user.preferred_language = request.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)

    # --- Phone numbers ----------------------------------------------------------------
    def phone_form_field(self, **kwargs):
        return VietnamPhoneField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        return phone

    def set_phone(self, user, phone: str, verified: bool) -> None:
        services.user_phone_set(user=user, phone=phone, verified=verified)

    def get_phone(self, user) -> tuple[str, bool] | None:
        if not user.phone:
            return None
        return user.phone, user.phone_verified

    def set_phone_verified(self, user, phone: str) -> None:
        services.user_phone_verify(user=user, phone=phone)

    def get_user_by_phone(self, phone: str):
        return user_with_phone(phone=phone)

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        body = gettext("Mã xác minh của bạn là %(code)s. Không chia sẻ mã này với ai.") % {"code": code}
        send_sms(to=phone, body=body)

    def send_unknown_account_sms(self, phone: str, **kwargs) -> None:
        send_sms(to=phone, body=gettext("Số điện thoại này chưa đăng ký tài khoản Kỹ năng số."))

    def send_account_already_exists_sms(self, phone: str) -> None:
        send_sms(
            to=phone,
            body=gettext(
                "Số điện thoại này đã có tài khoản Kỹ năng số. Hãy đăng nhập hoặc đặt lại mật khẩu."
            ),
        )

    # --- Failed logins: lockout per account AND client address --------------------
    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """allauth keys its per-account failure count by the e-mail or username typed.

        Two changes: (1) a phone login counts under the number in E.164 (allauth would
        put every phone login under one empty key, so five wrong passwords anywhere
        would lock every phone account); (2) the client address is part of the key, so
        a stranger's wrong guesses lock the account out from the stranger's address
        only, never from its owner's (docs/security.md, "Rate limits and lockout")."""
        from allauth.core.internal.ratelimit import get_ip

        login = credentials.get("email") or credentials.get("username") or ""
        if credentials.get("phone"):
            try:
                login = "phone:" + phone_to_e164(credentials["phone"])
            except ValidationError:
                login = "phone:" + credentials["phone"]
        return f"{login.lower()}|{get_ip(request)}"

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            from lms.audit.models import AuditAction
            from lms.audit.services import record
            from lms.audit.signals import _user_for_login

            record(
                action=AuditAction.LOGIN_LOCKED,
                target=_user_for_login(credentials),
                request=request,
                detail={"method": next((k for k in ("phone", "email") if credentials.get(k)), "")},
            )
            raise

    # --- Login stages -----------------------------------------------------------------
    def get_login_stages(self) -> list[str]:
        # E-mail verification is mandatory for people without a verified phone: see
        # lms.accounts.stages.
        return [
            "lms.accounts.stages.EmailVerificationStage"
            if path == "allauth.account.stages.EmailVerificationStage"
            else path
            for path in super().get_login_stages()
        ]

    # --- After login ------------------------------------------------------------------
    def get_login_redirect_url(self, request):
        # Civil servants land on "my required training" (courses.training, by URL name:
        # lms does not import courses). A ?next= chosen by the person still wins: allauth
        # asks the adapter only when there is none.
        from django.urls import NoReverseMatch, reverse

        from .models import Role
        from .selectors import user_has_role

        if user_has_role(user=request.user, role=Role.CIVIL_SERVANT):
            try:
                return reverse("training:mine")
            except NoReverseMatch:
                pass
        return super().get_login_redirect_url(request)


def user_display(user) -> str:
    """How allauth names a person in its pages and mails (ACCOUNT_USER_DISPLAY)."""
    return user.display_name
