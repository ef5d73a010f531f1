"""Reads on administrative units and their history."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from lms.core.text import fold

from .models import CURRENT_EDITION, LEGACY_EDITION, AdministrativeUnit, UnitSuccession

Level = AdministrativeUnit.Level


def units_search(
    *,
    q: str = "",
    level: str | None = None,
    parent_id: int | None = None,
    edition: str | None = None,
) -> QuerySet[AdministrativeUnit]:
    """Units whose name contains `q`, accent-insensitive ("da nang" finds "Đà Nẵng")."""
    qs = AdministrativeUnit.objects.all()
    folded = fold(q)
    if folded:
        qs = qs.filter(name_folded__contains=folded)
    if level:
        qs = qs.filter(level=level)
    if parent_id:
        qs = qs.filter(parent_id=parent_id)
    if edition:
        qs = qs.filter(edition=edition)
    return qs.order_by("level", "name_folded", "pk")


def successions_search(*, q: str, include_new_names: bool = True) -> QuerySet[UnitSuccession]:
    """2025 successions whose old unit's name contains `q` (accent-insensitive); with
    `include_new_names`, also those whose new commune's name matches, listing its
    predecessors. Ordered by new province, new commune, old name.
    """
    folded = fold(q)
    if not folded:
        return UnitSuccession.objects.none()
    cond = Q(predecessor__edition=LEGACY_EDITION, predecessor__name_folded__contains=folded)
    if include_new_names:
        cond |= Q(successor__edition=CURRENT_EDITION, successor__name_folded__contains=folded)
    return (
        UnitSuccession.objects.filter(kind__in=[UnitSuccession.Kind.WHOLE, UnitSuccession.Kind.PARTIAL])
        .filter(cond)
        .with_units()
        .order_by(
            "successor__parent__name_folded", "successor__name_folded", "predecessor__name_folded", "pk"
        )
    )


def villages_of(
    *, commune: AdministrativeUnit, on: datetime.date | None = None
) -> QuerySet[AdministrativeUnit]:
    """The villages of `commune` in force on `on` (today by default), by name."""
    day = on or timezone.localdate()
    return (
        AdministrativeUnit.objects.filter(parent=commune, level=Level.VILLAGE)
        .active_on(day)
        .order_by("name_folded", "pk")
    )


def village_history(*, commune: AdministrativeUnit) -> QuerySet[UnitSuccession]:
    """Merges and splits of the commune's villages, newest first."""
    return (
        UnitSuccession.objects.filter(
            kind__in=[UnitSuccession.Kind.VILLAGE_MERGE, UnitSuccession.Kind.VILLAGE_SPLIT],
            successor__parent=commune,
        )
        .select_related("predecessor", "successor")
        .order_by("-effective_date", "-pk")
    )


def communes_managed_by(*, user) -> QuerySet[AdministrativeUnit]:
    """Current communes inside the user's scope (see lms.accounts.selectors)."""
    from lms.accounts.selectors import units_visible_to

    return (
        units_visible_to(user=user)
        .filter(edition=CURRENT_EDITION, level=Level.COMMUNE)
        .select_related("parent")
        .order_by("parent__name_folded", "name_folded")
    )
