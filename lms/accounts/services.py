"""Writes about people and their roles."""

import datetime
import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.organisations.models import Agency
from lms.places.models import AdministrativeUnit

from .models import AGENCY_ROLES, UNIT_ROLE_LEVELS, Role, RoleAssignment, User
from .phone import phone_to_e164, user_with_phone
from .sms import send_sms


@transaction.atomic
def role_assign(
    *,
    user: User,
    role: str | Role,
    unit: AdministrativeUnit | None = None,
    agency: Agency | None = None,
    position: str = "",
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    granted_by: User | None = None,
    note: str = "",
) -> RoleAssignment:
    """Give `user` a role over a scope.

    Rules: unit roles need a unit of the role's level (village for team members and
    leaders, commune for commune officers, province for province officers), national
    officers hold no unit; civil servants and training managers need an agency; other
    roles take no scope. valid_to, when given, is not before valid_from. The same role
    over the same scope already in force on valid_from is returned unchanged.
    """
    role = Role(role)
    valid_from = valid_from or timezone.localdate()
    errors: dict[str, str] = {}
    if role in UNIT_ROLE_LEVELS:
        level = UNIT_ROLE_LEVELS[role]
        if level is None and unit is not None:
            errors["unit"] = _("Vai trò này áp dụng cho cả nước, không gắn với đơn vị.")
        elif level is not None and (unit is None or unit.level != level):
            errors["unit"] = _("Vai trò “%(role)s” cần một đơn vị cấp %(level)s.") % {
                "role": role.label,
                "level": AdministrativeUnit.Level(level).label,
            }
        if agency is not None:
            errors["agency"] = _("Vai trò này không gắn với cơ quan.")
    elif role in AGENCY_ROLES:
        if agency is None:
            errors["agency"] = _("Vai trò “%(role)s” cần một cơ quan, đơn vị.") % {"role": role.label}
        if unit is not None:
            errors["unit"] = _("Vai trò này không gắn với đơn vị hành chính.")
    elif unit is not None or agency is not None:
        errors["role"] = _("Vai trò “%(role)s” không gắn với phạm vi nào.") % {"role": role.label}
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = _("Ngày hết hiệu lực không được trước ngày bắt đầu.")
    if errors:
        raise ValidationError(errors)

    existing = (
        RoleAssignment.objects.filter(user=user, role=role, unit=unit, agency=agency)
        .active_on(valid_from)
        .first()
    )
    if existing is not None:
        return existing
    assignment = RoleAssignment(
        user=user,
        role=role,
        unit=unit,
        agency=agency,
        position=position,
        valid_from=valid_from,
        valid_to=valid_to,
        granted_by=granted_by,
        note=note,
    )
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def role_end(*, assignment: RoleAssignment, on: datetime.date | None = None) -> RoleAssignment:
    """End an assignment: it stays in force up to and including `on` (today by default)."""
    on = on or timezone.localdate()
    if on < assignment.valid_from:
        raise ValidationError({"valid_to": _("Ngày kết thúc không được trước ngày bắt đầu.")})
    assignment.valid_to = on
    assignment.save(update_fields=["valid_to"])
    return assignment


# --- People: sign-up handle, phone, profile, password ---------------------------------
# Below: writes used by the allauth adapter (lms.accounts.adapter) and our own views.


def username_generate() -> str:
    """A new internal handle for User.username: "u" and 12 random hex digits.

    Rule: the handle carries no personal data (not derived from the name, e-mail or
    phone), so erasing a person never has to rewrite it, and it is unique.
    """
    while True:
        handle = f"u{secrets.token_hex(6)}"
        if not User.objects.filter(username=handle).exists():
            return handle


@transaction.atomic
def user_phone_set(*, user: User, phone: str, verified: bool = False) -> User:
    """Attach a phone number to `user`.

    Rules: the number must be a valid Vietnamese mobile number in any accepted
    format and is stored in E.164; no other account may hold it; a new number starts
    unverified unless `verified` is given (allauth verifies it by SMS code).
    """
    e164 = phone_to_e164(phone)
    if User.objects.filter(phone=e164).exclude(pk=user.pk).exists():
        raise ValidationError({"phone": _("Số điện thoại này đã được dùng cho một tài khoản khác.")})
    changed = user.phone != e164
    user.phone = e164
    user.phone_verified = bool(verified) or (user.phone_verified and not changed)
    if user.pk:
        user.save(update_fields=["phone", "phone_verified"])
    return user


@transaction.atomic
def user_phone_verify(*, user: User, phone: str) -> User:
    """Mark `phone` as verified for `user`; it must be the number the account holds."""
    e164 = phone_to_e164(phone)
    if user.phone != e164:
        user_phone_set(user=user, phone=e164, verified=True)
        return user
    if not user.phone_verified:
        user.phone_verified = True
        user.save(update_fields=["phone_verified"])
    return user


@transaction.atomic
def user_profile_update(*, user: User, full_name: str, preferred_language: str) -> User:
    """Change the name and preferred language a person chose for themselves.

    Rules: the name is trimmed (it may be empty); the language is one of
    settings.LANGUAGES. E-mail and phone change only through their verification flows.
    """
    user.full_name = " ".join((full_name or "").split())
    user.preferred_language = preferred_language
    user.full_clean(exclude=["password", "username", "email", "phone"])
    user.save(update_fields=["full_name", "preferred_language"])
    return user


@transaction.atomic
def user_password_set(*, user: User, password: str) -> User:
    """Give `user` a new password, checked against AUTH_PASSWORD_VALIDATORS."""
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def password_reset_code_send(*, phone: str, code: str) -> User | None:
    """Send a password-reset `code` by SMS to the active account holding `phone`.

    Rules: only an existing, active account's verified or unverified number gets an
    SMS (nothing is sent to numbers we do not know); returns the account, or None.
    """
    user = user_with_phone(phone=phone)
    if user is None or not user.is_active:
        return None
    body = _("Mã đặt lại mật khẩu của bạn là %(code)s. Không chia sẻ mã này với ai.") % {"code": code}
    send_sms(to=user.phone, body=body)
    return user
