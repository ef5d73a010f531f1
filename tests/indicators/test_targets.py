import decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from community_teams.indicators.models import IndicatorDefinition, Target
from community_teams.indicators.selectors import target_applicable
from community_teams.indicators.services import national_targets_load, target_set


def test_national_targets_loaded_with_source_and_status(db):
    # The data migration loaded them; the command is idempotent.
    before = Target.objects.filter(unit__isnull=True).count()
    assert before == 17
    call_command("load_indicators", stdout=open("/dev/null", "w"))
    counts = national_targets_load()
    assert counts == {"created": 0, "updated": 17, "rejected": 0}
    assert Target.objects.filter(unit__isnull=True).count() == before
    t = Target.objects.get(unit=None, target_code="household_five_skills", year=2024)
    assert t.status == Target.Status.GUIDANCE and t.source.startswith("CV 3240")
    assert (
        Target.objects.get(unit=None, target_code="digital_identity", year=2030).status == Target.Status.DRAFT
    )
    assert IndicatorDefinition.objects.get(code="basic_digital_skills").max_age == 60


def test_applicable_target_is_nearest_year_at_or_after(world):
    village = world["villages"][0]
    t = target_applicable(unit=village, indicator_code="online_public_services", year=2025)
    assert (t.year, t.percent, t.status) == (2025, decimal.Decimal("50.0"), Target.Status.IN_FORCE)
    t = target_applicable(unit=village, indicator_code="online_public_services", year=2026)
    assert (t.year, t.percent, t.status) == (2030, decimal.Decimal("60.0"), Target.Status.DRAFT)
    t = target_applicable(unit=village, indicator_code="online_public_services", year=2031)
    assert t.year == 2040
    # payment_account answers two target codes: the first is compared.
    assert target_applicable(unit=village, indicator_code="payment_account", year=2026).year == 2040
    # Nothing at or after: no target, rather than an older one.
    assert target_applicable(unit=village, indicator_code="household_five_skills", year=2025) is None
    assert target_applicable(unit=village, indicator_code="teams_active", year=2025) is None


def test_local_targets_win_and_warn_when_below(world):
    province, commune = world["province"], world["communes"][0]
    p = target_set(
        by=world["province_officer"], unit=province, target_code="smartphone", year=2026, percent=90
    )
    # The national target in force for the nearest year at or after 2026 is 95 % (2030).
    assert "95" in p.warning and "411" in p.warning
    c = target_set(by=world["commune_officer"], unit=commune, target_code="smartphone", year=2026, percent=85)
    assert "90" in c.warning  # below the province's own target, the nearest above
    ok = target_set(
        by=world["commune_officer"], unit=commune, target_code="smartphone", year=2026, percent=92
    )
    assert ok.pk == c.pk and ok.warning == ""  # same row updated, warning gone
    village = world["villages"][0]
    assert target_applicable(unit=village, indicator_code="smartphone", year=2026).pk == c.pk
    assert target_applicable(unit=world["villages"][2], indicator_code="smartphone", year=2026).pk == p.pk
    # A year without a local target falls through to the national one.
    assert target_applicable(unit=village, indicator_code="smartphone", year=2027).unit_id is None


def test_local_target_below_national_in_force_warns(world):
    t = target_set(
        by=world["province_officer"],
        unit=world["province"],
        target_code="fibre_household",
        year=2025,
        percent=70,
    )
    assert "80" in t.warning and "749" in t.warning
    # A draft above does not trigger the warning.
    t = target_set(
        by=world["province_officer"],
        unit=world["province"],
        target_code="digital_identity",
        year=2030,
        percent=50,
    )
    assert t.warning == ""


def test_only_the_units_own_officer_sets_targets(world):
    with pytest.raises(PermissionDenied):
        target_set(
            by=world["commune_officer"],
            unit=world["communes"][1],
            target_code="smartphone",
            year=2026,
            percent=80,
        )
    with pytest.raises(PermissionDenied):
        target_set(
            by=world["commune_officer"],
            unit=world["province"],
            target_code="smartphone",
            year=2026,
            percent=80,
        )
    with pytest.raises(PermissionDenied):
        target_set(
            by=world["members"][world["villages"][0].pk],
            unit=world["villages"][0],
            target_code="smartphone",
            year=2026,
            percent=80,
        )
    with pytest.raises(ValidationError):
        target_set(
            by=world["commune_officer"],
            unit=world["communes"][0],
            target_code="smartphone",
            year=2026,
            percent=120,
        )
