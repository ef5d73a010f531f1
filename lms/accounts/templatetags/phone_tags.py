from django import template

from lms.accounts.phone import phone_display as _phone_display

register = template.Library()


@register.filter
def phone_display(value: str | None) -> str:
    """"+84912345678" -> "0912 345 678"."""
    return _phone_display(value)
