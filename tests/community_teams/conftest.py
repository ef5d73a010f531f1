"""Shared data for community-team tests, built through the services production uses."""

import datetime
import uuid

import pytest
from django.utils import timezone

from community_teams.services import device_register, household_create, resident_create
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from tests.factories import UserFactory, make_commune, make_province, make_village


@pytest.fixture(autouse=True)
def _activity_catalogue(request):
    """The catalogue comes from a data migration; a transactional test may start after a
    flush whose serialized restore did not bring it back, so load it (idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    from community_teams.catalogue import activity_catalogue_sync
    from community_teams.models import Activity

    activity_catalogue_sync(model=Activity)


@pytest.fixture
def place(db):
    province = make_province()
    commune = make_commune(province)
    return {
        "province": province,
        "commune": commune,
        "village_a": make_village(commune, "Thôn A"),
        "village_b": make_village(commune, "Thôn B"),
    }


@pytest.fixture
def member_a(place):
    user = UserFactory(username="member-a")
    role_assign(user=user, role=Role.TEAM_MEMBER, unit=place["village_a"])
    return user


@pytest.fixture
def member_b(place):
    user = UserFactory(username="member-b")
    role_assign(user=user, role=Role.TEAM_MEMBER, unit=place["village_b"])
    return user


@pytest.fixture
def officer(place):
    user = UserFactory(username="officer")
    role_assign(user=user, role=Role.COMMUNE_OFFICER, unit=place["commune"])
    return user


def make_household(*, by, village, label="Hộ ông Ba", residents=((1980, "male"), (1985, "female"))):
    household = household_create(
        by=by,
        village=village,
        label=label,
        address_hint="Xóm Đông",
        children_under_16=1,
        consent_given=True,
        consent_purpose="Hỗ trợ chuyển đổi số",
    )
    people = [resident_create(by=by, household=household, birth_year=y, sex=s) for y, s in residents]
    return household, people


@pytest.fixture
def household_a(place, member_a):
    return make_household(by=member_a, village=place["village_a"])


@pytest.fixture
def household_b(place, member_b):
    return make_household(by=member_b, village=place["village_b"], label="Hộ bà Tư")


@pytest.fixture
def device_a(member_a):
    return device_register(user=member_a, name="Điện thoại của A")


def visit_item(
    household, residents, *, visit_id=None, day=None, code="install_vneid", outcome="done", **extra
):
    item = {
        "id": str(visit_id or uuid.uuid4()),
        "household_id": str(household.pk),
        "visited_on": (day or timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "resident_ids": [str(r.pk) for r in residents],
        "activities": [
            {
                "code": code,
                "outcome": outcome,
                "reason": "" if outcome != "not_possible" else "Không có mạng",
                "resident_id": str(residents[0].pk),
            },
        ],
        "note": "",
        "location": None,
        "replaces": None,
    }
    item.update(extra)
    return item
