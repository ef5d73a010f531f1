"""Writes about people and their roles."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.organisations.models import Agency
from lms.places.models import AdministrativeUnit

from .models import AGENCY_ROLES, UNIT_ROLE_LEVELS, Role, RoleAssignment, User


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
