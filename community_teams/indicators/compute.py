"""Village figures from the raw rows: the one place that says what each indicator counts.

For a batch of villages it reads, once each: households (not deleted), residents (not
deleted), status observations (except those of visit versions that were later edited:
an edit replaces what its version recorded), current visits (versions not replaced),
and active teams. Then, for every period:

- a resident is in an indicator's population when `min_age ≤ end year − birth year ≤
  max_age` (either bound may be empty);
- a status "at the end of the period" is the latest observation on or before the last
  day (by date, then by insertion);
- household fibre: the latest fibre observation, or else the register's flag;
- flow indicators (households reached, teams active) count visits dated in the period.

The definitions in docs/indicators.md and the hand count in tests/indicators follow
this text, not this code.
"""

import bisect
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from community_teams.models import Household, Resident, StatusObservation, SupportVisit, Team

from .periods import Period

SKILLS = (
    "skill_public_services",
    "skill_online_shopping",
    "skill_cashless_payment",
    "skill_online_safety",
    "skill_local_platforms",
)
PERSON_FIELDS = (
    "smartphone",
    "vneid",
    "payment_account",
    "online_public_service",
    "digital_signature",
    *SKILLS,
)
KNOWN = (
    "smartphone",
    "digital_identity",
    "vneid_level2",
    "payment_account",
    "online_public_services",
    "digital_signature",
    "basic_digital_skills",
    "basic_digital_skills_trained",
    "cyber_safety_reached",
    "fibre_household",
    "household_five_skills",
    "teams_active",
    "households_reached",
)


@dataclass(frozen=True)
class Band:
    code: str
    min_age: int | None
    max_age: int | None

    def contains(self, age: int) -> bool:
        return (self.min_age is None or age >= self.min_age) and (self.max_age is None or age <= self.max_age)


class _Timeline:
    __slots__ = ("dates", "values")

    def __init__(self):
        self.dates: list[datetime.date] = []
        self.values: list[str] = []

    def at(self, day: datetime.date) -> str | None:
        i = bisect.bisect_right(self.dates, day)
        return self.values[i - 1] if i else None

    def any_between(self, after: datetime.date, until: datetime.date, value: str | None = None) -> bool:
        lo = bisect.bisect_right(self.dates, after)
        hi = bisect.bisect_right(self.dates, until)
        return any(value is None or self.values[i] == value for i in range(lo, hi))

    def first(self) -> datetime.date | None:
        return self.dates[0] if self.dates else None


def _observations(village_ids: list[int]):
    return (
        StatusObservation.objects.filter(village_id__in=village_ids)
        .filter(Q(visit__isnull=True) | Q(visit__replaced_by__isnull=True))
        .order_by("observed_on", "id")
        .values_list("resident_id", "household_id", "field", "value", "observed_on", "village_id")
    )


def village_figures(
    *,
    village_ids: Iterable[int],
    periods: list[Period],
    bands: dict[str, Band],
    trace: list | None = None,
) -> list[tuple[int, str, str, int, int]]:
    """(village id, indicator, period, numerator, denominator) for every village, active
    indicator (the keys of `bands`) and period; rows that are 0/0 are left out. With
    `trace`, every member of a population is appended as (indicator, period, "resident"
    or "household", id, household id, counted)."""
    village_ids = list(village_ids)
    if not village_ids or not periods:
        return []
    households = list(
        Household.objects.filter(village_id__in=village_ids, deleted=False).values_list(
            "id", "village_id", "fibre_broadband"
        )
    )
    hh_village = {h: v for h, v, _f in households}
    residents = list(
        Resident.objects.filter(household_id__in=list(hh_village), deleted=False).values_list(
            "id", "household_id", "birth_year"
        )
    )
    timelines: dict[tuple, _Timeline] = defaultdict(_Timeline)
    resident_household = {rid: hid for rid, hid, _y in residents}
    for resident_id, household_id, field, value, day, village_id in _observations(village_ids):
        # Only observations made in the subject's own village (so any batch of villages
        # gives the same figures); a resident's village is its household's.
        owner = resident_household.get(resident_id) if resident_id else household_id
        if hh_village.get(owner) != village_id:
            continue
        key = (resident_id, field) if resident_id else (household_id, field)
        t = timelines[key]
        t.dates.append(day)
        t.values.append(value)
    visits_by_village: dict[int, list[tuple[datetime.date, object]]] = defaultdict(list)
    for household_id, village_id, day in SupportVisit.objects.filter(
        village_id__in=village_ids, replaced_by__isnull=True, household__deleted=False
    ).values_list("household_id", "village_id", "visited_on"):
        visits_by_village[village_id].append((day, household_id))
    for v in visits_by_village.values():
        v.sort(key=lambda x: x[0])
    teams = set(
        Team.objects.filter(village_id__in=village_ids, active=True).values_list("village_id", flat=True)
    )

    residents_by_village: dict[int, list[tuple]] = defaultdict(list)
    for rid, hid, birth_year in residents:
        residents_by_village[hh_village[hid]].append((rid, hid, birth_year))
    households_by_village: dict[int, list[tuple]] = defaultdict(list)
    for hid, vid, fibre in households:
        households_by_village[vid].append((hid, fibre))

    empty = _Timeline()
    rows: list[tuple[int, str, str, int, int]] = []
    for vid in village_ids:
        people = residents_by_village.get(vid, [])
        homes = households_by_village.get(vid, [])
        visits = visits_by_village.get(vid, [])
        visit_days = [d for d, _h in visits]
        for p in periods:
            end = p.end
            year_before = end - datetime.timedelta(days=365)
            counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            five_alone_households = set()
            for rid, hid, birth_year in people:
                age = end.year - birth_year
                tl = lambda f, rid=rid: timelines.get((rid, f), empty)  # noqa: E731
                smartphone = tl("smartphone").at(end) == "true"
                vneid = tl("vneid").at(end)
                skills = [tl(s).at(end) for s in SKILLS]
                five_alone = all(s == "alone" for s in skills)
                if five_alone:
                    five_alone_households.add(hid)
                facts = {
                    "smartphone": smartphone,
                    "digital_identity": vneid in ("level1", "level2"),
                    "vneid_level2": vneid == "level2",
                    "payment_account": tl("payment_account").at(end) == "true",
                    "online_public_services": tl("online_public_service").any_between(
                        year_before, end, "true"
                    ),
                    "digital_signature": tl("digital_signature").at(end) == "true",
                    "basic_digital_skills": five_alone,
                    "basic_digital_skills_trained": any(
                        (first := tl(s).first()) is not None and first <= end for s in SKILLS
                    ),
                }
                for code, fact in facts.items():
                    band = bands.get(code)
                    if band and band.contains(age):
                        c = counts[code]
                        c[1] += 1
                        c[0] += fact
                        if trace is not None:
                            trace.append((code, p.key, "resident", rid, hid, bool(fact)))
                band = bands.get("cyber_safety_reached")
                if band and smartphone and band.contains(age):
                    first = tl("skill_online_safety").first()
                    reached_safety = first is not None and first <= end
                    c = counts["cyber_safety_reached"]
                    c[1] += 1
                    c[0] += reached_safety
                    if trace is not None:
                        trace.append(("cyber_safety_reached", p.key, "resident", rid, hid, reached_safety))
            if "fibre_household" in bands or "household_five_skills" in bands:
                for hid, fibre in homes:
                    at = timelines.get((hid, "fibre_broadband"), empty).at(end)
                    has = (at == "true") if at is not None else fibre
                    c = counts["fibre_household"]
                    c[1] += 1
                    c[0] += has
                    c = counts["household_five_skills"]
                    c[1] += 1
                    c[0] += hid in five_alone_households
                    if trace is not None:
                        trace.append(("fibre_household", p.key, "household", hid, hid, bool(has)))
                        trace.append(
                            (
                                "household_five_skills",
                                p.key,
                                "household",
                                hid,
                                hid,
                                hid in five_alone_households,
                            )
                        )
            lo = bisect.bisect_left(visit_days, p.start)
            hi = bisect.bisect_right(visit_days, end)
            reached = {h for _d, h in visits[lo:hi]}
            counts["households_reached"] = [len(reached), len(homes)]
            if trace is not None:
                for hid, _fibre in homes:
                    trace.append(("households_reached", p.key, "household", hid, hid, hid in reached))
            if vid in teams:
                counts["teams_active"] = [1 if hi > lo else 0, 1]
            for code, (num, den) in counts.items():
                if code in bands and (num or den):
                    rows.append((vid, code, p.key, num, den))
    return rows
