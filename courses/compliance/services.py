"""Writes of the compliance rollups: mark dirty, recompute, rebuild.

`rollups_recompute(year=…, agency_ids=…)` is the only function that writes figures; the
incremental refresh (dirty agencies) and the nightly full rebuild both call it, so a full
rebuild equals the incremental result by construction, and a test checks it does. It
deletes the rows it is about to rewrite and writes them again in one transaction, under
a lock on the year's `RollupState` row, so running it twice changes nothing and two runs
never interleave.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from assessments.models import Competence, Evidence, TargetLevel
from assessments.selectors import level_derive
from courses.training.models import (
    Employment,
    PlanAssignment,
    PositionTarget,
    TrainingPlan,
    deadline_instant,
)
from lms.jobs.services import job_enqueue

from .models import (
    AreaRollup,
    AssignmentRollup,
    CompetenceRollup,
    DirtyAgency,
    MonthRollup,
    RollupState,
    StaffRollup,
)

logger = logging.getLogger(__name__)

REFRESH_JOB = "compliance.rollups_refresh"
REBUILD_JOB = "compliance.rollups_rebuild"
COMPLETED = PlanAssignment.Status.COMPLETED
EXEMPT = PlanAssignment.Status.EXEMPT
NOT_STARTED = PlanAssignment.Status.NOT_STARTED
IN_PROGRESS = PlanAssignment.Status.IN_PROGRESS
CHUNK = 2000


def month_bounds(*, year: int, month: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, month, 1)
    nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return start, nxt - datetime.timedelta(days=1)


def months_reported(*, year: int, now: datetime.datetime) -> int:
    """How many months of `year` have begun at `now` (Vietnam time): 0 for a future
    year, 12 for a past one."""
    today = timezone.localdate(now)
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month


# --- Dirty marks -----------------------------------------------------------------------------


def _dirty_pairs_for_assignments(assignment_ids: list[int]) -> set[tuple[int, int]]:
    """(agency, year) pairs whose figures the given assignments can touch: the agency
    each is counted in now, and every agency its person was employed in during the
    plan's year (the month trend, and the agency a move just took them out of)."""
    rows = list(
        PlanAssignment.objects.filter(pk__in=assignment_ids).values_list("user_id", "agency_id", "plan__year")
    )
    pairs = {(agency_id, year) for _u, agency_id, year in rows}
    years_by_user: dict[int, set[int]] = defaultdict(set)
    for user_id, _a, year in rows:
        years_by_user[user_id].add(year)
    if years_by_user:
        for user_id, agency_id, start, end in Employment.objects.filter(
            user_id__in=list(years_by_user)
        ).values_list("user_id", "agency_id", "valid_from", "valid_to"):
            for year in years_by_user[user_id]:
                if start.year <= year and (end is None or end.year >= year):
                    pairs.add((agency_id, year))
    return pairs


def rollups_mark_dirty(*, pairs: Iterable[tuple[int, int]]) -> int:
    """Mark (agency, year) pairs dirty and enqueue one refresh job (deduplicated while
    one is pending), in the caller's transaction."""
    now = timezone.now()
    marks = [DirtyAgency(agency_id=a, year=y, marked_at=now) for a, y in sorted(set(pairs))]
    if not marks:
        return 0
    DirtyAgency.objects.bulk_create(
        marks, update_conflicts=True, unique_fields=["agency", "year"], update_fields=["marked_at"]
    )
    job_enqueue(task=REFRESH_JOB, kwargs={}, dedupe_key="compliance:rollups_refresh")
    return len(marks)


def rollups_mark_dirty_for_assignments(*, assignment_ids: list[int]) -> int:
    """The `courses.training.hooks.on_assignment_changed` callback: runs inside the
    transaction that changed the assignments, so the marks commit (or roll back) with it."""
    return rollups_mark_dirty(pairs=_dirty_pairs_for_assignments(list(assignment_ids)))


# --- Recompute -------------------------------------------------------------------------------


@dataclass
class RecomputeResult:
    year: int
    agencies: int | None  # None: every agency
    assignments: int
    rows: int


def _lock_year(year: int, now: datetime.datetime) -> RollupState:
    RollupState.objects.get_or_create(year=year, defaults={"refreshed_at": now})
    return RollupState.objects.select_for_update().get(year=year)


def _open(status: str) -> bool:
    return status in (NOT_STARTED, IN_PROGRESS)


def _targets_for_positions(position_ids: set[int], year: int) -> dict[int, dict[int, int]]:
    """position id → {competence id: required level} of the target in force in `year`."""
    if not position_ids:
        return {}
    profile_by_position: dict[int, tuple[int, int]] = {}
    for position_id, target_year, profile_id in PositionTarget.objects.filter(
        position_id__in=position_ids, year__lte=year
    ).values_list("position_id", "year", "profile_id"):
        best = profile_by_position.get(position_id)
        if best is None or target_year > best[0]:
            profile_by_position[position_id] = (target_year, profile_id)
    levels: dict[int, dict[int, int]] = defaultdict(dict)
    for target_id, competence_id, level in TargetLevel.objects.filter(
        target_id__in={p for _y, p in profile_by_position.values()}
    ).values_list("target_id", "competence_id", "level"):
        levels[target_id][competence_id] = level
    return {pos: levels.get(profile, {}) for pos, (_y, profile) in profile_by_position.items()}


@dataclass
class _Record:
    """The fields of assessments.Evidence that level_derive reads (no model instances:
    a full rebuild reads millions of records)."""

    pk: int
    person_id: int
    competence_id: int
    level: int
    method: str
    date: datetime.date
    created_at: datetime.datetime
    supersedes_id: int | None


_RECORD_FIELDS = ("pk", "person_id", "competence_id", "level", "method", "date", "created_at",
                  "supersedes_id")


def _derived_levels(user_ids: list[int], competence_ids: set[int], *, everyone: bool = False
                    ) -> dict[tuple[int, int], int]:
    """(user, competence) → derived level (assessments.selectors.level_derive). With
    `everyone` (a full rebuild) one streamed query, else in chunks of users."""
    records: dict[tuple[int, int], list[_Record]] = defaultdict(list)
    wanted = set(user_ids)
    if not competence_ids or not user_ids:
        return {}
    if everyone:
        querysets = [Evidence.objects.filter(competence_id__in=competence_ids)]
    else:
        querysets = [
            Evidence.objects.filter(person_id__in=user_ids[i:i + CHUNK], competence_id__in=competence_ids)
            for i in range(0, len(user_ids), CHUNK)
        ]
    for qs in querysets:
        for values in qs.order_by().values_list(*_RECORD_FIELDS).iterator(chunk_size=10 * CHUNK):
            record = _Record(*values)
            if record.person_id in wanted:
                records[(record.person_id, record.competence_id)].append(record)
    out: dict[tuple[int, int], int] = {}
    for key, recs in records.items():
        if len(recs) == 1 and recs[0].method != Evidence.Method.SELF_ASSESSED:
            out[key] = recs[0].level  # one verified record: its level (level_derive's rule 2)
            continue
        derived = level_derive(records=recs)
        if derived.level is not None:
            out[key] = derived.level
    return out


@transaction.atomic
def rollups_recompute(
    *, year: int, agency_ids: Iterable[int] | None = None, now: datetime.datetime | None = None
) -> RecomputeResult:
    """Rewrite every rollup row of `year` for `agency_ids` (None: every agency) from the
    assignment, employment and evidence rows. Idempotent; serialised per year.

    Rules (docs/training.md "Compliance"): exempt assignments count only as exempt; an
    assignment whose person left the plan's scope before completing is not counted; a
    month's row attributes a person to the agency of the employment in force on the
    month's last day (or their last employed day in it), counts them from the month the
    assignment was made in, and is a snapshot at the month's end (at `now` for the
    running month).
    """
    now = now or timezone.now()
    state = _lock_year(year, now)
    scope = None if agency_ids is None else set(agency_ids)

    assignments = PlanAssignment.objects.filter(plan__year=year)
    if scope is not None:
        # Two indexed lookups (agency; people employed there this year), not one OR over a
        # subquery, which PostgreSQL answers by scanning every assignment of the year.
        employed_here = sorted(set(Employment.objects.filter(agency_id__in=scope).overlapping(
            datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        ).values_list("user_id", flat=True)))
        assignments = assignments.filter(Q(agency_id__in=scope) | Q(user_id__in=employed_here))
    fields = ("id", "plan_id", "user_id", "agency_id", "position_id", "category", "status",
              "completed_at", "due_before", "left_on", "assigned_on")
    rows = list(assignments.order_by().values_list(*fields).iterator(chunk_size=CHUNK))

    # Current state, people, competences: by the agency each person is counted in now.
    current: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    person: dict[tuple[int, int], list] = {}  # (agency, user) → [all_completed, position, plan]
    for (_id, plan_id, user_id, agency_id, position_id, category, status, completed_at, due_before,
         left_on, _assigned_on) in rows:
        if scope is not None and agency_id not in scope:
            continue
        c = current[(plan_id, agency_id, position_id, category, due_before)]
        if status == EXEMPT:
            c[5] += 1
            continue
        if left_on is not None and status != COMPLETED:
            continue
        c[0] += 1
        if status == COMPLETED:
            c[1 if completed_at is not None and completed_at < due_before else 2] += 1
        elif status == IN_PROGRESS:
            c[3] += 1
        else:
            c[4] += 1
        p = person.setdefault((agency_id, user_id), [True, position_id, plan_id])
        p[0] = p[0] and status == COMPLETED
        if plan_id >= p[2]:
            p[1], p[2] = position_id, plan_id

    # Months: by the agency of the employment in force at each month's end.
    last_month = months_reported(year=year, now=now)
    bounds = [month_bounds(year=year, month=m) for m in range(1, last_month + 1)]
    cuts = [min(deadline_instant(end), now) for _s, end in bounds]
    employments: dict[int, list[tuple[datetime.date, datetime.date | None, int]]] = defaultdict(list)
    user_ids = sorted({r[2] for r in rows})
    in_year = Employment.objects.overlapping(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    if scope is None:
        querysets = [in_year]  # a full rebuild: one streamed query, no id lists
    else:
        querysets = [in_year.filter(user_id__in=user_ids[i:i + CHUNK])
                     for i in range(0, len(user_ids), CHUNK)]
    wanted = set(user_ids)
    for qs in querysets:
        for user_id, agency_id, start, end in qs.order_by("user_id", "valid_from").values_list(
            "user_id", "agency_id", "valid_from", "valid_to"
        ).iterator(chunk_size=10 * CHUNK):
            if user_id in wanted:
                employments[user_id].append((start, end, agency_id))
    monthly: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    months = list(enumerate(zip(bounds, cuts, strict=True), start=1))
    where_by_user: dict[int, list[int | None]] = {}
    for (_id, plan_id, user_id, agency_id, _pos, _cat, status, completed_at, due_before, left_on,
         assigned_on) in rows:
        if status == EXEMPT:
            continue
        wheres = where_by_user.get(user_id)
        if wheres is None:
            history = employments.get(user_id)
            if history:
                # One employment per day: the one starting last among those touching the
                # month is the one in force on its last employed day in it.
                wheres = []
                for (start, end), _cut in zip(bounds, cuts, strict=True):
                    where = None
                    for e_start, e_end, e_agency in history:
                        if e_start <= end and (e_end is None or e_end >= start):
                            where = e_agency
                    wheres.append(where)
            else:
                wheres = []  # no employment history recorded: where they are counted now
            where_by_user[user_id] = wheres
        done = status == COMPLETED and completed_at is not None
        gone = left_on is not None and status != COMPLETED
        for m, ((_start, end), cut) in months:
            if assigned_on > end or (gone and left_on <= end):
                continue
            where = wheres[m - 1] if wheres else agency_id
            if where is None or (scope is not None and where not in scope):
                continue
            mrow = monthly[(plan_id, where, m)]
            mrow[0] += 1
            if done and completed_at < cut:
                mrow[1 if completed_at < due_before else 2] += 1
            elif due_before <= cut:
                mrow[3] += 1

    # Competences and areas: the target of each person's position in force in `year`.
    targets = _targets_for_positions({p[1] for p in person.values() if p[1]}, year)
    competence_ids = {c for levels in targets.values() for c in levels}
    area_of = dict(Competence.objects.filter(pk__in=competence_ids).values_list("pk", "area_id"))
    derived = _derived_levels(sorted({u for _a, u in person}), competence_ids, everyone=scope is None)
    comp: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    area: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    staff: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (agency_id, user_id), (all_done, position_id, _plan) in person.items():
        s = staff[agency_id]
        s[0] += 1
        s[1] += all_done
        required = targets.get(position_id) or {}
        area_ok: dict[int, bool] = {}
        for competence_id, level in required.items():
            below = derived.get((user_id, competence_id), 0) < level
            cr = comp[(agency_id, competence_id)]
            cr[0] += 1
            cr[1] += below
            a = area_of[competence_id]
            area_ok[a] = area_ok.get(a, True) and not below
        for area_id, ok in area_ok.items():
            ar = area[(agency_id, area_id)]
            ar[0] += 1
            ar[1] += ok

    # Rewrite.
    tables = (AssignmentRollup, MonthRollup, CompetenceRollup, AreaRollup, StaffRollup)
    for model in tables:
        qs = model.objects.filter(year=year)
        if scope is not None:
            qs = qs.filter(agency_id__in=scope)
        qs.delete()
    new_rows = [
        AssignmentRollup(year=year, plan_id=k[0], agency_id=k[1], position_id=k[2], category=k[3],
                         due_before=k[4], assigned=v[0], on_time=v[1], late=v[2], in_progress=v[3],
                         not_started=v[4], exempt=v[5])
        for k, v in current.items()
    ]
    AssignmentRollup.objects.bulk_create(new_rows, batch_size=CHUNK)
    count = len(new_rows)
    for model, items in (
        (MonthRollup, [MonthRollup(year=year, plan_id=k[0], agency_id=k[1], month=k[2], assigned=v[0],
                                   on_time=v[1], late=v[2], overdue=v[3]) for k, v in monthly.items()]),
        (CompetenceRollup, [CompetenceRollup(year=year, agency_id=k[0], competence_id=k[1],
                                             with_target=v[0], below=v[1]) for k, v in comp.items()]),
        (AreaRollup, [AreaRollup(year=year, agency_id=k[0], area_id=k[1], with_target=v[0], at_level=v[1])
                      for k, v in area.items()]),
        (StaffRollup, [StaffRollup(year=year, agency_id=k, staff=v[0], trained=v[1])
                       for k, v in staff.items()]),
    ):
        model.objects.bulk_create(items, batch_size=CHUNK)
        count += len(items)
    state.refreshed_at = now
    if scope is None:
        state.full_rebuild_at = now
    state.save(update_fields=["refreshed_at", "full_rebuild_at"])
    return RecomputeResult(year=year, agencies=None if scope is None else len(scope),
                           assignments=len(rows), rows=count)


def rollups_refresh_dirty(*, now: datetime.datetime | None = None) -> list[RecomputeResult]:
    """Recompute the dirty (agency, year) pairs and clear the marks it consumed. A mark
    made again while this ran (a newer `marked_at`) stays for the next run."""
    marks = list(DirtyAgency.objects.values_list("pk", "agency_id", "year", "marked_at"))
    by_year: dict[int, set[int]] = defaultdict(set)
    for _pk, agency_id, year, _at in marks:
        by_year[year].add(agency_id)
    results = []
    for year in sorted(by_year):
        with transaction.atomic():
            results.append(rollups_recompute(year=year, agency_ids=by_year[year], now=now))
    for pk, _a, _y, marked_at in marks:
        DirtyAgency.objects.filter(pk=pk, marked_at=marked_at).delete()
    return results


def rollups_rebuild(*, years: Iterable[int] | None = None, now: datetime.datetime | None = None
                    ) -> list[RecomputeResult]:
    """Full rebuild of the given years (default: every year that has a plan), one
    transaction per year; clears the dirty marks of those years made before it began."""
    started = timezone.now()
    if years is None:
        years = TrainingPlan.objects.order_by("year").values_list("year", flat=True).distinct()
    results = []
    for year in sorted(set(years)):
        results.append(rollups_recompute(year=year, agency_ids=None, now=now))
        DirtyAgency.objects.filter(year=year, marked_at__lt=started).delete()
    if results and connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Fresh planner statistics: the dashboard's index lookups depend on them.
        with connection.cursor() as cursor:
            for model in (AssignmentRollup, MonthRollup, CompetenceRollup, AreaRollup, StaffRollup):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return results
