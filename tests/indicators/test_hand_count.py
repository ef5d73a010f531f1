"""Indicator figures on the demo data equal a hand count from the raw rows.

The count below is written from the definitions (docs/indicators.md), not from
compute.py: it reads every row once into plain lists and, for each period and person,
takes the latest observation on or before the period's last day by scanning, with no
shared helpers."""

import datetime

import pytest
from django.utils import timezone

from community_teams.demo import demo_teams_create
from community_teams.indicators.demo import demo_indicators_build
from community_teams.indicators.models import IndicatorDefinition, Level, Rollup, Target
from community_teams.indicators.periods import periods_covered
from community_teams.models import Household, Resident, StatusObservation, SupportVisit, Team
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from tests.factories import UserFactory, make_commune, make_province, make_village

pytestmark = pytest.mark.django_db
SKILLS = [
    "skill_public_services",
    "skill_online_shopping",
    "skill_cashless_payment",
    "skill_online_safety",
    "skill_local_platforms",
]


@pytest.fixture(params=["sql", "python"])
def demo(request, settings):
    """The demo data with its rollups, built by each engine in turn (the SQL one runs on
    PostgreSQL only; elsewhere both are the Python one)."""
    settings.INDICATORS_SQL = request.param == "sql"
    today = timezone.localdate()
    settings.INDICATORS_FIRST_MONTH = f"{(today - datetime.timedelta(days=130)):%Y-%m}"
    province = make_province("Tỉnh Demo")
    villages = []
    for c in range(2):
        commune = make_commune(province, name=f"Xã Demo {c}")
        villages += [make_village(commune, f"Thôn {c}-{v}") for v in range(3)]
    UserFactory(username="demo-totruong")
    UserFactory(username="demo-thanhvien")
    UserFactory(username="demo-quantri", is_superuser=True)
    role_assign(user=UserFactory(username="demo-canbotinh"), role=Role.PROVINCE_OFFICER, unit=province)
    role_assign(user=UserFactory(username="demo-canboxa"), role=Role.COMMUNE_OFFICER, unit=villages[0].parent)
    demo_teams_create(villages=villages)
    counts = demo_indicators_build(villages=villages)
    again = demo_indicators_build(villages=villages)  # idempotent
    assert again["flags_created"] == 0 and again["local_targets"] == counts["local_targets"] == 2
    return {"province": province, "villages": villages}


def _hand_count(village_ids, periods, bands):
    households = [
        h for h in Household.objects.filter(village_id__in=village_ids).values() if not h["deleted"]
    ]
    alive = {h["id"] for h in households}
    residents = [r for r in Resident.objects.values() if r["household_id"] in alive and not r["deleted"]]
    replaced = set(SupportVisit.objects.exclude(replaces=None).values_list("replaces_id", flat=True))
    visits = [
        v for v in SupportVisit.objects.values() if v["id"] not in replaced and v["household_id"] in alive
    ]
    observations = [
        o
        for o in StatusObservation.objects.values()
        if o["visit_id"] is None or o["visit_id"] not in replaced
    ]
    teams = {t.village_id for t in Team.objects.filter(active=True)}

    def latest(subject, field, end, key="resident_id"):
        best = None
        for o in observations:
            if o[key] == subject and o["field"] == field and o["observed_on"] <= end:
                if o[key] == subject and (key == "resident_id" or o["resident_id"] is None):
                    if best is None or (o["observed_on"], o["id"]) > (best["observed_on"], best["id"]):
                        best = o
        return best["value"] if best else None

    def ever(subject, fields, end):
        return any(
            o["resident_id"] == subject and o["field"] in fields and o["observed_on"] <= end
            for o in observations
        )

    result = {}
    for vid in village_ids:
        homes = [h for h in households if h["village_id"] == vid]
        people = [r for r in residents if r["household_id"] in {h["id"] for h in homes}]
        for p in periods:
            end = p.end
            c = {code: [0, 0] for code in bands}
            alone_homes = set()
            for r in people:
                age = end.year - r["birth_year"]
                status = {
                    f: latest(r["id"], f, end)
                    for f in ["smartphone", "vneid", "payment_account", "digital_signature", *SKILLS]
                }
                five = all(status[s] == "alone" for s in SKILLS)
                if five:
                    alone_homes.add(r["household_id"])
                ops = any(
                    o["resident_id"] == r["id"]
                    and o["field"] == "online_public_service"
                    and o["value"] == "true"
                    and end - datetime.timedelta(days=365) < o["observed_on"] <= end
                    for o in observations
                )
                facts = {
                    "smartphone": status["smartphone"] == "true",
                    "digital_identity": status["vneid"] in ("level1", "level2"),
                    "vneid_level2": status["vneid"] == "level2",
                    "payment_account": status["payment_account"] == "true",
                    "online_public_services": ops,
                    "digital_signature": status["digital_signature"] == "true",
                    "basic_digital_skills": five,
                    "basic_digital_skills_trained": ever(r["id"], SKILLS, end),
                }
                for code, fact in facts.items():
                    lo, hi = bands[code]
                    if (lo is None or age >= lo) and (hi is None or age <= hi):
                        c[code][0] += fact
                        c[code][1] += 1
                if status["smartphone"] == "true":
                    c["cyber_safety_reached"][1] += 1
                    c["cyber_safety_reached"][0] += ever(r["id"], ["skill_online_safety"], end)
            for h in homes:
                fibre = latest(h["id"], "fibre_broadband", end, key="household_id")
                c["fibre_household"][0] += (fibre == "true") if fibre is not None else h["fibre_broadband"]
                c["fibre_household"][1] += 1
                c["household_five_skills"][0] += h["id"] in alone_homes
                c["household_five_skills"][1] += 1
            in_period = [v for v in visits if v["village_id"] == vid and p.start <= v["visited_on"] <= end]
            c["households_reached"] = [len({v["household_id"] for v in in_period}), len(homes)]
            if vid in teams:
                c["teams_active"] = [1 if in_period else 0, 1]
            for code, (n, d) in c.items():
                if n or d:
                    result[(vid, code, p.key)] = (n, d)
    return result


def test_demo_figures_equal_a_hand_count(demo):
    villages = demo["villages"]
    periods = periods_covered()
    bands = {d.code: (d.min_age, d.max_age) for d in IndicatorDefinition.objects.filter(active=True)}
    expected = _hand_count([v.pk for v in villages], periods, bands)
    got = {
        (r.unit_id, r.indicator, r.period): (r.numerator, r.denominator)
        for r in Rollup.objects.filter(level=Level.VILLAGE)
    }
    assert got == expected
    assert sum(n for (_v, code, _p), (n, _d) in expected.items() if code == "digital_identity") > 0
    # Communes, the province and the nation are the sums of the hand count.
    for key in {(code, p) for (_v, code, p) in expected}:
        code, period = key
        for level, unit, members in (
            (Level.COMMUNE, villages[0].parent, villages[:3]),
            (Level.COMMUNE, villages[3].parent, villages[3:]),
            (Level.PROVINCE, demo["province"], villages),
        ):
            n = sum(expected.get((v.pk, code, period), (0, 0))[0] for v in members)
            d = sum(expected.get((v.pk, code, period), (0, 0))[1] for v in members)
            row = Rollup.objects.filter(level=level, unit=unit, indicator=code, period=period).first()
            assert ((row.numerator, row.denominator) if row else (0, 0)) == (n, d), (level, code, period)
        nation = Rollup.objects.get(level=Level.NATION, indicator=code, period=period)
        province = Rollup.objects.get(
            level=Level.PROVINCE, unit=demo["province"], indicator=code, period=period
        )
        assert (nation.numerator, nation.denominator) == (province.numerator, province.denominator)
    assert Target.objects.filter(unit=demo["province"], target_code="smartphone").get().warning
