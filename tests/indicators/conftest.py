"""Data for indicator tests, built through the services production uses (units, roles,
households, the sync service)."""

import datetime
import uuid

import pytest

from community_teams.services import household_create, resident_create, team_create
from community_teams.sync import visit_batch_sync
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from tests.factories import UserFactory, make_commune, make_province, make_village

TODAY = datetime.date(2026, 11, 20)
SINCE = datetime.date(2025, 1, 1)


@pytest.fixture
def world(db):
    """One province, two communes, three villages with a team, a member each and two
    households of two residents; officers for the commune and the province."""
    province = make_province("Tỉnh Chỉ Số")
    c1 = make_commune(province, "Xã Một")
    c2 = make_commune(province, "Xã Hai")
    villages = [make_village(c1, "Thôn A"), make_village(c1, "Thôn B"), make_village(c2, "Thôn C")]
    admin = UserFactory(username="ind-admin", is_superuser=True)
    members, households = {}, {}
    for n, village in enumerate(villages):
        team_create(
            by=admin, village=village, name=f"Tổ {village.name}", decision_number="", decision_date=None
        )
        member = UserFactory(username=f"ind-member-{n}")
        role_assign(user=member, role=Role.TEAM_MEMBER, unit=village, valid_from=SINCE)
        members[village.pk] = member
        households[village.pk] = [
            make_household(
                by=member, village=village, label=f"Hộ {village.name} {h}", years=(1970 + h, 2000 + h)
            )
            for h in range(2)
        ]
    commune_officer = UserFactory(username="ind-commune")
    role_assign(user=commune_officer, role=Role.COMMUNE_OFFICER, unit=c1, valid_from=SINCE)
    province_officer = UserFactory(username="ind-province")
    role_assign(user=province_officer, role=Role.PROVINCE_OFFICER, unit=province, valid_from=SINCE)
    return {
        "province": province,
        "communes": [c1, c2],
        "villages": villages,
        "members": members,
        "households": households,
        "commune_officer": commune_officer,
        "province_officer": province_officer,
        "admin": admin,
    }


def make_household(*, by, village, label, years=(1980, 1990), children=0):
    household = household_create(
        by=by,
        village=village,
        label=label,
        address_hint="",
        children_under_16=children,
        consent_given=True,
        consent_purpose="Hỗ trợ chuyển đổi số",
    )
    people = [resident_create(by=by, household=household, birth_year=y, sex="female") for y in years]
    return household, people


def visit(household, people, *, day, acts, visit_id=None, replaces=None):
    """A sync item: acts = [(code, outcome, resident index or None)]."""
    return {
        "id": str(visit_id or uuid.uuid4()),
        "household_id": str(household.pk),
        "visited_on": day.isoformat(),
        "resident_ids": [str(p.pk) for p in people],
        "activities": [
            {
                "code": code,
                "outcome": outcome,
                "reason": "Không có mạng" if outcome == "not_possible" else "",
                "resident_id": str(people[r].pk) if r is not None else None,
            }
            for code, outcome, r in acts
        ],
        "note": "",
        "location": None,
        "replaces": str(replaces) if replaces else None,
    }


def sync(member, items, today=TODAY):
    return visit_batch_sync(member=member, device=None, items=items, today=today)


def rollup_snapshot():
    from community_teams.indicators.models import Rollup

    return sorted(
        Rollup.objects.values_list("level", "unit_id", "indicator", "period", "numerator", "denominator")
    )


@pytest.fixture(autouse=True)
def _reference_rows(db):
    """The rows data migrations create (activities, definitions, national targets), put
    back if a transactional test elsewhere flushed them and the database was reused."""
    import io

    from django.core.management import call_command

    from community_teams.indicators.models import IndicatorDefinition, Target
    from community_teams.models import Activity

    if not Activity.objects.exists():
        call_command("load_activities", stdout=io.StringIO())
    if not IndicatorDefinition.objects.exists() or not Target.objects.filter(unit__isnull=True).exists():
        from community_teams.indicators.services import indicators_load, national_targets_load

        indicators_load()
        national_targets_load()
