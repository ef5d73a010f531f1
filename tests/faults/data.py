"""Data for the fault tests, built through the services production uses."""

import datetime
import io
import uuid

from django.core.management import call_command
from django.utils import timezone

from community_teams.services import device_register
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from tests.community_teams.conftest import make_household
from tests.factories import UserFactory, make_commune, make_province, make_village


def reference_rows() -> None:
    """The rows data migrations create (activities, indicator definitions and national
    targets): a transactional test elsewhere may have flushed them."""
    from community_teams.indicators.models import IndicatorDefinition, Target
    from community_teams.indicators.services import indicators_load, national_targets_load
    from community_teams.models import Activity

    if not Activity.objects.exists():
        call_command("load_activities", stdout=io.StringIO())
    if not IndicatorDefinition.objects.exists() or not Target.objects.filter(unit__isnull=True).exists():
        indicators_load()
        national_targets_load()


def team_world(*, villages: int = 2, households: int = 2, tag: str = "") -> dict:
    """A province, a commune, `villages` villages with a member (and a device token)
    each and `households` households of two residents per village."""
    reference_rows()
    tag = tag or uuid.uuid4().hex[:6]
    province = make_province(f"Tỉnh Sự Cố {tag}")
    commune = make_commune(province, f"Xã Sự Cố {tag}")
    world = {"province": province, "commune": commune, "villages": []}
    for n in range(villages):
        village = make_village(commune, f"Thôn {n} {tag}")
        member = UserFactory(username=f"faults-member-{tag}-{n}")
        role_assign(user=member, role=Role.TEAM_MEMBER, unit=village)
        _device, token = device_register(user=member, name="Điện thoại thử")
        homes = [
            make_household(
                by=member,
                village=village,
                label=f"Hộ {h} thôn {n}",
                residents=((1970, "male"), (1990, "female")),
            )
            for h in range(households)
        ]
        world["villages"].append({"village": village, "member": member, "token": token, "households": homes})
    return world


def visit_items(homes, *, per_household: int = 1, code: str = "install_vneid") -> list[dict]:
    """New visits (fresh ids) to each of `homes`, dated yesterday, one activity done."""
    day = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    items = []
    for household, people in homes:
        for _ in range(per_household):
            items.append(
                {
                    "id": str(uuid.uuid4()),
                    "household_id": str(household.pk),
                    "visited_on": day,
                    "resident_ids": [str(p.pk) for p in people],
                    "activities": [
                        {"code": code, "outcome": "done", "reason": "", "resident_id": str(people[0].pk)}
                    ],
                    "note": "",
                    "location": None,
                    "replaces": None,
                }
            )
    return items


def visit_counts() -> tuple[int, int, int, int]:
    from community_teams.models import StatusObservation, SupportVisit, VisitActivity, VisitResident

    return (
        SupportVisit.objects.count(),
        VisitActivity.objects.count(),
        VisitResident.objects.count(),
        StatusObservation.objects.count(),
    )


def rollup_snapshot() -> list[tuple]:
    from community_teams.indicators.models import Rollup

    return sorted(
        Rollup.objects.values_list("level", "unit_id", "indicator", "period", "numerator", "denominator")
    )
