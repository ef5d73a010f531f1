"""Writes on agencies."""

from django.db import transaction

from lms.places.models import AdministrativeUnit

from .models import Agency


@transaction.atomic
def agency_create(
    *,
    code: str,
    name: str,
    parent: Agency | None = None,
    unit: AdministrativeUnit | None = None,
) -> Agency:
    """Create an agency under `parent` and set its materialised path."""
    agency = Agency(code=code, name=name, parent=parent, unit=unit)
    agency.full_clean(exclude=["path"])
    agency.save()
    agency.path = agency.compute_path()
    agency.save(update_fields=["path"])
    return agency
