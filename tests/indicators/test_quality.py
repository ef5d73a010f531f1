"""Data-quality flags, the review queue and month approval."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from community_teams.indicators.models import QualityFlag
from community_teams.indicators.selectors import review_queue
from community_teams.indicators.services import month_approve, quality_flag_review, rollups_refresh
from community_teams.models import MonthClosure, SupportVisit
from tests.indicators.conftest import TODAY, sync, visit


def _rules(household):
    return sorted(
        QualityFlag.objects.filter(visit__household=household).values_list("rule", flat=True).distinct()
    )


@pytest.fixture
def village_a(world):
    v = world["villages"][0]
    (h1, p1), (h2, p2) = world["households"][v.pk]
    return {"member": world["members"][v.pk], "h1": h1, "p1": p1, "h2": h2, "p2": p2}


def test_more_than_40_visits_by_one_member_in_a_day(world, village_a):
    day = datetime.date(2026, 11, 10)
    items = [
        visit(village_a["h1"], village_a["p1"], day=day, acts=[("scam_awareness", "done", 0)])
        for _ in range(41)
    ]
    sync(village_a["member"], items)
    rollups_refresh(today=TODAY)
    assert QualityFlag.objects.filter(rule=QualityFlag.Rule.MEMBER_DAY).count() == 41
    # 40 is allowed.
    items = [
        visit(
            village_a["h2"],
            village_a["p2"],
            day=day - datetime.timedelta(days=20 + i // 10),
            acts=[("smartphone_basics", "done", 0)],
        )
        for i in range(40)
    ]
    sync(village_a["member"], items)
    rollups_refresh(today=TODAY)
    assert not QualityFlag.objects.filter(
        rule=QualityFlag.Rule.MEMBER_DAY, visit__household=village_a["h2"]
    ).exists()


def test_same_activity_twice_in_a_week_and_above_household_size(world, village_a):
    h1, p1, h2, p2 = village_a["h1"], village_a["p1"], village_a["h2"], village_a["p2"]
    sync(
        village_a["member"],
        [
            visit(h1, p1, day=datetime.date(2026, 11, 2), acts=[("install_vneid", "done", 0)]),
            visit(h1, p1, day=datetime.date(2026, 11, 5), acts=[("install_vneid", "done", 1)]),
            visit(h2, p2, day=datetime.date(2026, 10, 1), acts=[("scam_awareness", "done", 0)]),
            visit(h2, p2, day=datetime.date(2026, 10, 9), acts=[("scam_awareness", "done", 0)]),
            visit(
                h2,
                p2,
                day=datetime.date(2026, 10, 20),
                acts=[
                    ("open_payment_account", "done", 0),
                    ("open_payment_account", "done", 1),
                    ("open_payment_account", "partly", 0),
                ],
            ),
        ],
    )
    rollups_refresh(today=TODAY)
    assert QualityFlag.objects.filter(rule=QualityFlag.Rule.REPEAT_WEEK, visit__household=h1).count() == 2
    assert not QualityFlag.objects.filter(rule=QualityFlag.Rule.REPEAT_WEEK, visit__household=h2).exists()
    above = QualityFlag.objects.get(rule=QualityFlag.Rule.ABOVE_HOUSEHOLD)
    assert above.visit.household_id == h2.pk and "3 > 2" in above.detail


def test_future_date_and_late_visit_for_closed_month(world, village_a):
    today = timezone.localdate()
    commune = world["communes"][0]
    MonthClosure.objects.create(commune=commune, month=datetime.date(2026, 9, 1))
    sync(
        village_a["member"],
        [
            visit(
                village_a["h1"],
                village_a["p1"],
                day=today + datetime.timedelta(days=1),
                acts=[("smartphone_basics", "done", 0)],
            ),
            visit(
                village_a["h2"],
                village_a["p2"],
                day=datetime.date(2026, 9, 15),
                acts=[("smartphone_basics", "done", 0)],
            ),
        ],
        today=today,
    )
    rollups_refresh(today=TODAY)
    assert _rules(village_a["h1"]) == [QualityFlag.Rule.FUTURE]
    assert _rules(village_a["h2"]) == [QualityFlag.Rule.CLOSED_MONTH]


def test_review_then_approval_closes_the_month_and_late_corrections_come_back(world, village_a):
    officer, commune = world["commune_officer"], world["communes"][0]
    h1, p1 = village_a["h1"], village_a["p1"]
    sync(
        village_a["member"],
        [
            visit(h1, p1, day=datetime.date(2026, 10, 2), acts=[("install_vneid", "done", 0)]),
            visit(h1, p1, day=datetime.date(2026, 10, 4), acts=[("install_vneid", "done", 0)]),
        ],
    )
    rollups_refresh(today=TODAY)
    queue = list(review_queue(commune=commune))
    assert len(queue) == 2
    with pytest.raises(ValidationError):
        month_approve(by=officer, commune=commune, month=datetime.date(2026, 10, 1))
    with pytest.raises(PermissionDenied):
        quality_flag_review(by=world["province_officer"], flag=queue[0], state="accepted")
    quality_flag_review(by=officer, flag=queue[0], state="accepted")
    quality_flag_review(by=officer, flag=queue[1], state="rejected")
    assert not review_queue(commune=commune).exists()
    closure = month_approve(by=officer, commune=commune, month=datetime.date(2026, 10, 15))
    assert closure.month == datetime.date(2026, 10, 1) and closure.closed_by == officer
    with pytest.raises(ValidationError):
        month_approve(by=officer, commune=commune, month=timezone.localdate())
    # A correction sent later is kept, flagged by the sync and back in the queue.
    old = SupportVisit.objects.filter(household=h1).order_by("visited_on").first()
    sync(
        village_a["member"],
        [visit(h1, p1, day=old.visited_on, acts=[("install_vneid", "partly", 0)], replaces=old.pk)],
    )
    rollups_refresh(today=TODAY)
    late = review_queue(commune=commune).get(rule=QualityFlag.Rule.CLOSED_MONTH)
    assert late.visit.replaces_id == old.pk and late.visit.flagged
