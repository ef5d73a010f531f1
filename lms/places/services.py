"""Writes on administrative units."""

import datetime

from django.db import transaction

from .models import CURRENT_EDITION, AdministrativeUnit


@transaction.atomic
def unit_create(
    *,
    name: str,
    level: str,
    parent: AdministrativeUnit | None = None,
    code: str = "",
    division_type: str = "",
    edition: str = CURRENT_EDITION,
    valid_from: datetime.date | None = None,
) -> AdministrativeUnit:
    """Create a unit and set its materialised path (the ids from the root down)."""
    unit = AdministrativeUnit(
        name=name,
        level=level,
        parent=parent,
        code=code,
        division_type=division_type,
        edition=edition,
        valid_from=valid_from,
    )
    unit.save()
    unit.path = unit.compute_path()
    unit.save(update_fields=["path"])
    return unit
