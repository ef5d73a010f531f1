"""Reads about people and their scopes. Every permission question comes through here."""

import datetime
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone

from lms.organisations.models import Agency
from lms.places.models import AdministrativeUnit

from .models import AGENCY_ROLES, NATIONWIDE_ROLES, UNIT_ROLE_LEVELS, Role, RoleAssignment, User


def _today(on: datetime.date | None) -> datetime.date:
    return on or timezone.localdate()


def roles_active_for(*, user: User, on: datetime.date | None = None) -> QuerySet[RoleAssignment]:
    """The user's role assignments in force on `on` (today, Vietnam time, by default)."""
    if not user.is_authenticated:
        return RoleAssignment.objects.none()
    return RoleAssignment.objects.filter(user=user).active_on(_today(on))


def user_has_role(
    *, user: User, role: str | Role, on: datetime.date | None = None
) -> bool:
    return roles_active_for(user=user, on=on).filter(role=role).exists()


def _is_nationwide(user: User, assignments: list[RoleAssignment]) -> bool:
    return user.is_superuser or any(a.role in NATIONWIDE_ROLES for a in assignments)


def units_visible_to(
    *, user: User, on: datetime.date | None = None
) -> QuerySet[AdministrativeUnit]:
    """Administrative units the user may see: the subtree of every unit they hold a
    unit-scoped role over (a team member their village, a commune officer their commune
    and its villages, …); every unit for national officers, platform administrators and
    superusers; none for everybody else. Expired and future assignments give nothing.
    """
    if not user.is_authenticated:
        return AdministrativeUnit.objects.none()
    assignments = list(
        roles_active_for(user=user, on=on)
        .filter(role__in=list(UNIT_ROLE_LEVELS) + list(NATIONWIDE_ROLES))
        .select_related("unit")
    )
    if _is_nationwide(user, assignments):
        return AdministrativeUnit.objects.all()
    paths = {a.unit.path for a in assignments if a.unit_id}
    if not paths:
        return AdministrativeUnit.objects.none()
    return AdministrativeUnit.objects.filter(
        reduce(or_, (Q(path__startswith=p) for p in sorted(paths)))
    )


def agencies_visible_to(*, user: User, on: datetime.date | None = None) -> QuerySet[Agency]:
    """Agencies the user may see: a training manager's agency subtree, a civil servant's
    own agency, every agency for national officers, platform administrators and
    superusers, none for everybody else.
    """
    if not user.is_authenticated:
        return Agency.objects.none()
    assignments = list(
        roles_active_for(user=user, on=on)
        .filter(role__in=list(AGENCY_ROLES) + list(NATIONWIDE_ROLES))
        .select_related("agency")
    )
    if _is_nationwide(user, assignments):
        return Agency.objects.all()
    conditions = []
    for a in assignments:
        if not a.agency_id:
            continue
        if a.role == Role.TRAINING_MANAGER:
            conditions.append(Q(path__startswith=a.agency.path))
        else:
            conditions.append(Q(pk=a.agency_id))
    if not conditions:
        return Agency.objects.none()
    return Agency.objects.filter(reduce(or_, conditions))


def unit_is_visible_to(
    *, user: User, unit: AdministrativeUnit, on: datetime.date | None = None
) -> bool:
    return units_visible_to(user=user, on=on).filter(pk=unit.pk).exists()


def agency_is_visible_to(*, user: User, agency: Agency, on: datetime.date | None = None) -> bool:
    return agencies_visible_to(user=user, on=on).filter(pk=agency.pk).exists()
