"""Demo teams, households and a few months of visits in the two demo communes.

Idempotent: teams are found by village, extra demo members by username, households,
residents and visits have ids derived (uuid5) from the village and a number, so a
second run inserts nothing (households with ignore_conflicts, visits through
`visit_batch_sync`, which answers "duplicate"). Households are bulk-inserted; visits go
through the same sync service as phones, one batch per village.
"""

import datetime
import random
import uuid

from django.db import transaction
from django.utils import timezone

from lms.accounts.demo import DEMO_PASSWORD
from lms.accounts.models import User
from lms.places.models import AdministrativeUnit

from .models import Activity, Household, MonthClosure, Resident, StatusObservation, Team
from .services import team_create, team_member_add
from .sync import visit_batch_sync

NAMESPACE = uuid.UUID("6f1c4d55-2a0e-4f57-9d0c-7b3f3f0a5e21")
HOUSEHOLDS_PER_VILLAGE = 34
LABELS = ["Hộ ông", "Hộ bà", "Hộ anh", "Hộ chị"]
GIVEN = ["Ba", "Tư", "Năm", "Sáu", "Bảy", "Tám", "Chín", "Mười", "Hùng", "Lan", "Mai", "Dũng", "Hoa", "Sơn"]
HAMLETS = ["xóm Đông", "xóm Tây", "xóm Chợ", "gần đình", "đầu ngõ", "cuối ngõ", "ven sông"]
VISIT_CODES = [
    "install_vneid",
    "activate_vneid_level2",
    "open_payment_account",
    "first_cashless_payment",
    "file_online_public_service",
    "smartphone_basics",
    "scam_awareness",
    "open_online_shop",
]


def _demo_id(*parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


def _extra_member(n: int, village: AdministrativeUnit) -> User:
    user, created = User.objects.get_or_create(
        username=f"demo-tcns-{n}",
        defaults={"email": f"tcns{n}@demo.kynangso.vn", "full_name": f"Thành viên tổ {village.name}"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def demo_teams_create(*, villages: list[AdministrativeUnit]) -> dict:
    """A team per demo village with a leader and a member, ~200 households with their
    residents, and visits over the last four months. Returns counts."""
    rng = random.Random(20261123)
    today = timezone.localdate()
    admin = (
        User.objects.filter(username="demo-quantri").first() or User.objects.filter(is_superuser=True).first()
    )
    leader = User.objects.get(username="demo-totruong")
    member = User.objects.get(username="demo-thanhvien")
    counts = {"teams": 0, "households": 0, "residents": 0, "visits": 0}
    activities = {a.code: a for a in Activity.objects.all()}
    households, residents = [], []
    members_by_village = {}
    for n, village in enumerate(villages):
        team = Team.objects.filter(village=village, active=True).first()
        if team is None:
            team = team_create(
                by=admin,
                village=village,
                name=f"Tổ công nghệ số {village.name}",
                decision_number=f"{10 + n}/QĐ-UBND",
                decision_date=datetime.date(2025, 8, 1 + n),
            )
            counts["teams"] += 1
        if n == 0:
            people = [(leader, True), (member, False)]
        else:
            people = [(_extra_member(2 * n, village), True), (_extra_member(2 * n + 1, village), False)]
        for user, is_leader in people:
            team_member_add(by=admin, team=team, user=user, leader=is_leader)
        members_by_village[village.pk] = people[1][0]
        for h in range(HOUSEHOLDS_PER_VILLAGE):
            hid = _demo_id("household", village.pk, h)
            households.append(
                Household(
                    id=hid,
                    village=village,
                    label=f"{rng.choice(LABELS)} {rng.choice(GIVEN)} ({rng.choice(HAMLETS)})",
                    address_hint=f"Số {rng.randint(1, 120)}",
                    children_under_16=rng.choice([0, 0, 1, 1, 2, 3]),
                    fibre_broadband=rng.random() < 0.6,
                    consent_given=True,
                    consent_purpose="Hỗ trợ người dân sử dụng dịch vụ số",
                    consent_recorded_by=people[1][0],
                    consent_recorded_at=timezone.now(),
                )
            )
            for r in range(rng.randint(1, 4)):
                residents.append(
                    Resident(
                        id=_demo_id("resident", village.pk, h, r),
                        household_id=hid,
                        birth_year=rng.randint(today.year - 85, today.year - 16),
                        sex=rng.choice(["female", "male"]),
                    )
                )
    existing = set(Household.objects.filter(pk__in=[h.pk for h in households]).values_list("pk", flat=True))
    Household.objects.bulk_create([h for h in households if h.pk not in existing], ignore_conflicts=True)
    Resident.objects.bulk_create(
        [r for r in residents if r.household_id not in existing], ignore_conflicts=True
    )
    counts["households"] = len(households) - len(existing)
    counts["residents"] = sum(r.household_id not in existing for r in residents)

    # One closed month in the first commune: its late visits show as flagged.
    first_month = (today.replace(day=1) - datetime.timedelta(days=95)).replace(day=1)
    MonthClosure.objects.get_or_create(commune=villages[0].parent, month=first_month)

    by_household: dict[uuid.UUID, list[Resident]] = {}
    for r in residents:
        by_household.setdefault(r.household_id, []).append(r)
    for village in villages:
        items = []
        for h in range(HOUSEHOLDS_PER_VILLAGE):
            hid = _demo_id("household", village.pk, h)
            people = by_household[hid]
            for v in range(rng.randint(1, 3)):
                day = today - datetime.timedelta(days=rng.randint(1, 115))
                codes = rng.sample(VISIT_CODES, rng.randint(1, 3))
                acts = []
                for code in codes:
                    outcome = rng.choices(["done", "partly", "not_possible"], weights=[6, 2, 1])[0]
                    acts.append(
                        {
                            "code": code,
                            "outcome": outcome,
                            "reason": "Chưa mang điện thoại" if outcome == "not_possible" else "",
                            "resident_id": str(rng.choice(people).pk)
                            if activities[code].needs_resident
                            else None,
                        }
                    )
                items.append(
                    {
                        "id": str(_demo_id("visit", village.pk, h, v)),
                        "household_id": str(hid),
                        "visited_on": day.isoformat(),
                        "resident_ids": [str(p.pk) for p in people],
                        "activities": acts,
                        "note": "",
                        "location": None,
                        "replaces": None,
                    }
                )
        outcome = visit_batch_sync(member=members_by_village[village.pk], device=None, items=items)
        counts["visits"] += outcome.created
    counts["observations"] = StatusObservation.objects.filter(village__in=villages).count()
    return counts
