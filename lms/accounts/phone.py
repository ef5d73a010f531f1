"""Vietnamese phone numbers: parse what people type, store E.164.

People write the same number as "0912 345 678", "+84 912 345 678" or "84912345678";
it is stored once, as "+84912345678", so that the unique constraint on User.phone and
the look-up at login agree whatever the format typed.
"""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "VN"
SMS_CAPABLE = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}

INVALID_PHONE_MESSAGE = _(
    "Số điện thoại không hợp lệ. Hãy nhập số di động Việt Nam, ví dụ 0912 345 678."
)


def phone_to_e164(raw: str) -> str:
    """Return `raw` as an E.164 Vietnamese mobile number, or raise ValidationError.

    Accepts national (0912…), international (+84912…) and bare country-code (84912…)
    forms, with spaces, dots or dashes. Only valid Vietnamese mobile numbers are
    accepted (codes go by SMS).
    """
    text = (raw or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits or len(digits) > 15:
        raise ValidationError(INVALID_PHONE_MESSAGE, code="invalid_phone")
    if not text.startswith("+") and digits.startswith("84") and len(digits) >= 11:
        # "84912345678": the country code typed without the plus sign.
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(INVALID_PHONE_MESSAGE, code="invalid_phone") from None
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID_PHONE_MESSAGE, code="invalid_phone")
    if phonenumbers.number_type(number) not in SMS_CAPABLE:
        # Codes are sent by SMS: a landline could never receive them.
        raise ValidationError(INVALID_PHONE_MESSAGE, code="not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str | None) -> str:
    """A stored number as Vietnamese people write it: "0912 345 678"."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def user_with_phone(*, phone: str):
    """The account holding `phone` (any accepted format), or None.

    (A read: it belongs with the selectors; kept here because selectors.py is shared.)
    """
    from .models import User

    try:
        e164 = phone_to_e164(phone)
    except ValidationError:
        return None
    return User.objects.filter(phone=e164).first()
