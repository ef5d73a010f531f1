"""Password rules beyond Django's own validators (settings.AUTH_PASSWORD_VALIDATORS).

Django's CommonPasswordValidator knows 20 000 passwords common in English-speaking
leaks; people here pick Vietnamese ones ("matkhau", "anhyeuem", "123456a") that it does
not know. This validator compares the password, folded (no accents, no case, no spaces
or punctuation) and with a trailing number or year removed, against a short list of
Vietnamese words and patterns kept in data/common-passwords-vi.txt. "Mật khẩu 2026",
"matkhau@123" and "AnhYeuEm1990" are all refused; a passphrase that merely contains
such a word ("anh yêu em nhiều lắm") is not.
"""

import re
from functools import cache
from pathlib import Path

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lms.core.text import fold

LIST_PATH = Path(__file__).resolve().parent / "data" / "common-passwords-vi.txt"
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_TRAILING_DIGITS = re.compile(r"[0-9]+$")
_LEADING_DIGITS = re.compile(r"^[0-9]+")


@cache
def common_passwords() -> frozenset[str]:
    words = set()
    for line in LIST_PATH.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(_NOT_ALNUM.sub("", fold(line)))
    return frozenset(words)


def password_core(password: str) -> set[str]:
    """The forms of `password` compared with the list."""
    flat = _NOT_ALNUM.sub("", fold(password))
    forms = {flat, _TRAILING_DIGITS.sub("", flat), _LEADING_DIGITS.sub("", flat)}
    forms.add(_LEADING_DIGITS.sub("", _TRAILING_DIGITS.sub("", flat)))
    return {f for f in forms if f}


class VietnameseCommonPasswordValidator:
    def validate(self, password: str, user=None) -> None:
        if password_core(password) & common_passwords():
            raise ValidationError(
                _(
                    "Mật khẩu này quá dễ đoán (một từ hay cụm từ nhiều người dùng, có thể kèm "
                    "số). Hãy chọn một cụm từ riêng của bạn."
                ),
                code="password_too_common_vi",
            )

    def get_help_text(self) -> str:
        return _("Mật khẩu không được là một từ hay cụm từ phổ biến như “matkhau123”.")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a Vietnamese message: Django 5.2 changed this msgid (to "%d") and
    its Vietnamese catalogue still has the old one, so the error came out in English."""

    def get_error_message(self) -> str:
        return ngettext(
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            self.min_length,
        ) % {"min_length": self.min_length}
