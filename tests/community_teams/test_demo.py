"""The demo step: teams, ~200 households, months of visits; idempotent and quick."""

import time

import pytest

from community_teams.demo import demo_teams_create
from community_teams.models import Household, Resident, SupportVisit, Team
from tests.factories import UserFactory, make_commune, make_province, make_village

pytestmark = pytest.mark.django_db


def test_demo_teams_are_built_once():
    province = make_province()
    villages = []
    for c in range(2):
        commune = make_commune(province, name=f"Xã {c}")
        villages += [make_village(commune, f"Thôn {c}-{v}") for v in range(3)]
    UserFactory(username="demo-totruong")
    UserFactory(username="demo-thanhvien")
    admin = UserFactory(username="demo-quantri")
    admin.is_superuser = True
    admin.save()

    started = time.monotonic()
    counts = demo_teams_create(villages=villages)
    elapsed = time.monotonic() - started
    assert counts["teams"] == 6 and Team.objects.count() == 6
    assert 190 <= Household.objects.count() <= 210 and counts["households"] == Household.objects.count()
    assert Resident.objects.count() >= Household.objects.count()
    visits = SupportVisit.objects.count()
    assert visits == counts["visits"] and visits >= 200
    assert SupportVisit.objects.filter(flagged=True).exists()  # the closed month
    assert elapsed < 30, elapsed

    again = demo_teams_create(villages=villages)
    assert (again["teams"], again["households"], again["residents"], again["visits"]) == (0, 0, 0, 0)
    assert SupportVisit.objects.count() == visits and Household.objects.count() == counts["households"]
