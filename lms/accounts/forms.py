"""Forms for sign-up, login and the rest, in Vietnamese.

allauth 65 ships no Vietnamese translation, so its forms are subclassed here only to
give every field a Vietnamese label (msgids in Vietnamese, English in our locale) and
to add what allauth does not have: the full name at sign-up, "e-mail or phone", and
the password reset by SMS code.
"""

import secrets

from allauth.account import forms as allauth_forms
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .phone import phone_to_e164

# Field name -> (label, placeholder or None). Applied to allauth's forms.
FIELD_TEXTS = {
    "login": (_("E-mail hoặc số điện thoại"), _("ví dụ: 0912 345 678 hoặc ten@example.com")),
    "password": (_("Mật khẩu"), None),
    "oldpassword": (_("Mật khẩu hiện tại"), None),
    "password1": (_("Mật khẩu"), None),
    "password2": (_("Nhập lại mật khẩu"), None),
    "remember": (_("Ghi nhớ đăng nhập trên thiết bị này"), None),
    "email": (_("Địa chỉ e-mail"), _("ví dụ: ten@example.com")),
    "phone": (_("Số điện thoại di động"), _("ví dụ: 0912 345 678")),
    "code": (_("Mã xác minh"), _("6 chữ số")),
    "full_name": (_("Họ và tên"), None),
}

# allauth's own (English) error texts, restated in Vietnamese.
ERROR_TEXTS = {
    "You must type the same password each time.": _("Hai mật khẩu bạn nhập không giống nhau."),
    "You must type the same email each time.": _("Hai địa chỉ e-mail bạn nhập không giống nhau."),
}


class VietnamPhoneField(forms.CharField):
    """A Vietnamese mobile number in any usual format, cleaned to E.164 (+84…)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label", FIELD_TEXTS["phone"][0])
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "type": "tel",
                    "autocomplete": "tel",
                    "inputmode": "tel",
                    "placeholder": FIELD_TEXTS["phone"][1],
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value:
            value = phone_to_e164(value)
        return value


class VietnameseFieldsMixin:
    """Relabel the fields allauth created and translate its few fixed error texts."""

    field_texts: dict = {}

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        texts = {**FIELD_TEXTS, **self.field_texts}
        for name, field in self.fields.items():
            if name not in texts:
                continue
            label, placeholder = texts[name]
            field.label = label
            if placeholder:
                field.widget.attrs["placeholder"] = placeholder
            else:
                field.widget.attrs.pop("placeholder", None)
        if "code" in self.fields:
            self.fields["code"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "one-time-code"})
        if "password" in self.fields and not isinstance(self, PasswordHelpKept):
            # allauth puts a "Forgot your password?" link here; our template has one.
            self.fields["password"].help_text = ""

    def full_clean(self) -> None:
        super().full_clean()
        for name, errors in list(getattr(self, "_errors", {}).items()):
            replaced = [ERROR_TEXTS.get(str(message), message) for message in errors]
            if replaced != list(errors):
                self._errors[name] = self.error_class(replaced)


class PasswordHelpKept:
    """Marker: keep the help text of the "password" field."""


class LoginForm(VietnameseFieldsMixin, allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].widget.attrs["autocomplete"] = "username"


class SignupForm(VietnameseFieldsMixin, allauth_forms.SignupForm):
    """Sign up with a phone number or an e-mail address (or both), a name and a password.

    allauth lets both fields be optional (ACCOUNT_SIGNUP_FIELDS) but cannot say "one of
    the two": that rule is here.
    """

    full_name = forms.CharField(
        label=FIELD_TEXTS["full_name"][0],
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["full_name", "phone", "email", "password1", "password2"]
    field_texts = {
        "email": (_("Địa chỉ e-mail (nếu có)"), _("ví dụ: ten@example.com")),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = _("Chúng tôi sẽ gửi mã xác minh qua tin nhắn SMS.")
        self.fields["email"].help_text = _(
            "Không có e-mail? Chỉ cần số điện thoại. Nhập ít nhất một trong hai."
        )

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("phone") and not cleaned_data.get("email"):
            if not self.has_error("phone") and not self.has_error("email"):
                raise ValidationError(
                    _("Hãy nhập số điện thoại hoặc địa chỉ e-mail."), code="phone_or_email"
                )
        return cleaned_data


class ResetPasswordForm(VietnameseFieldsMixin, allauth_forms.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(VietnameseFieldsMixin, allauth_forms.ResetPasswordKeyForm):
    field_texts = {
        "password1": (_("Mật khẩu mới"), None),
        "password2": (_("Nhập lại mật khẩu mới"), None),
    }


class ChangePasswordForm(VietnameseFieldsMixin, allauth_forms.ChangePasswordForm):
    field_texts = ResetPasswordKeyForm.field_texts


class SetPasswordForm(VietnameseFieldsMixin, allauth_forms.SetPasswordForm):
    pass


class AddEmailForm(VietnameseFieldsMixin, allauth_forms.AddEmailForm):
    pass


class ReauthenticateForm(PasswordHelpKept, VietnameseFieldsMixin, allauth_forms.ReauthenticateForm):
    pass


class RequestLoginCodeForm(VietnameseFieldsMixin, allauth_forms.RequestLoginCodeForm):
    field_texts = {
        "email": (_("Địa chỉ e-mail (nếu không dùng số điện thoại)"), _("ví dụ: ten@example.com")),
    }
    field_order = ["phone", "email"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("phone") and not cleaned_data.get("email"):
            if not self.has_error("phone") and not self.has_error("email"):
                raise ValidationError(_("Hãy nhập số điện thoại hoặc địa chỉ e-mail."))
        return cleaned_data


class ConfirmLoginCodeForm(VietnameseFieldsMixin, allauth_forms.ConfirmLoginCodeForm):
    pass


class ConfirmEmailVerificationCodeForm(
    VietnameseFieldsMixin, allauth_forms.ConfirmEmailVerificationCodeForm
):
    pass


class ConfirmPasswordResetCodeForm(VietnameseFieldsMixin, allauth_forms.ConfirmPasswordResetCodeForm):
    pass


class VerifyPhoneForm(VietnameseFieldsMixin, allauth_forms.VerifyPhoneForm):
    pass


class ChangePhoneForm(VietnameseFieldsMixin, allauth_forms.ChangePhoneForm):
    field_texts = {"phone": (_("Số điện thoại mới"), _("ví dụ: 0912 345 678"))}


class ChangeEmailForm(VietnameseFieldsMixin, allauth_forms.ChangeEmailForm):
    pass


# --- Our own forms ---------------------------------------------------------------------


class PlainLabelsForm(forms.Form):
    """Labels stand on their own line: no trailing colon."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class PhonePasswordResetRequestForm(PlainLabelsForm):
    phone = VietnamPhoneField()


class PhonePasswordResetConfirmForm(PlainLabelsForm):
    """The code received by SMS and the new password, on one page."""

    code = forms.CharField(
        label=FIELD_TEXTS["code"][0],
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "placeholder": _("6 chữ số")}
        ),
    )
    password1 = forms.CharField(
        label=_("Mật khẩu mới"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, expected_code: str = "", user=None, **kwargs) -> None:
        self.expected_code = expected_code
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not self.expected_code or not secrets.compare_digest(
            code.encode(), self.expected_code.encode()
        ):
            raise ValidationError(_("Mã xác minh không đúng."), code="incorrect_code")
        return code

    def clean(self):
        cleaned_data = super().clean()
        password1 = cleaned_data.get("password1")
        password2 = cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", ERROR_TEXTS["You must type the same password each time."])
        if password1 and not self.has_error("password1"):
            try:
                password_validation.validate_password(password1, self.user)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned_data


class ProfileForm(PlainLabelsForm):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=255, required=False)
    preferred_language = forms.ChoiceField(label=_("Ngôn ngữ ưa dùng"), choices=settings.LANGUAGES)


# --- Two-factor authentication (allauth.mfa, settings.MFA_FORMS) ----------------------
from allauth.mfa.base import forms as mfa_base_forms  # noqa: E402
from allauth.mfa.recovery_codes import forms as mfa_recovery_forms  # noqa: E402
from allauth.mfa.totp import forms as mfa_totp_forms  # noqa: E402

MFA_CODE_TEXT = (_("Mã từ ứng dụng xác thực (hoặc mã khôi phục)"), _("6 chữ số"))


class MfaAuthenticateForm(VietnameseFieldsMixin, mfa_base_forms.AuthenticateForm):
    field_texts = {"code": MFA_CODE_TEXT}


class MfaReauthenticateForm(VietnameseFieldsMixin, mfa_base_forms.ReauthenticateForm):
    field_texts = {"code": MFA_CODE_TEXT}


class ActivateTotpForm(VietnameseFieldsMixin, mfa_totp_forms.ActivateTOTPForm):
    field_texts = {"code": (_("Mã 6 chữ số ứng dụng đang hiển thị"), _("6 chữ số"))}


class DeactivateTotpForm(VietnameseFieldsMixin, mfa_totp_forms.DeactivateTOTPForm):
    pass


class GenerateRecoveryCodesForm(VietnameseFieldsMixin, mfa_recovery_forms.GenerateRecoveryCodesForm):
    pass
