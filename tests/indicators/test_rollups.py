"""Rollups: figures from the sync service, incremental refresh equal to a full rebuild."""

import datetime
import uuid

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community_teams.indicators.models import Level, Rollup, RollupWatermark
from community_teams.indicators.services import rollups_rebuild, rollups_refresh, rollups_refresh_villages
from community_teams.models import Household
from tests.indicators.conftest import TODAY, rollup_snapshot, sync, visit


@pytest.fixture(autouse=True)
def _first_month(settings):
    settings.INDICATORS_FIRST_MONTH = "2026-06"


def _row(level, unit, code, period):
    qs = Rollup.objects.filter(level=level, indicator=code, period=period)
    qs = qs.filter(unit__isnull=True) if unit is None else qs.filter(unit=unit)
    r = qs.first()
    return (r.numerator, r.denominator) if r else (0, 0)


def test_figures_roll_up_from_village_to_nation(world):
    va, vb, vc = world["villages"]
    (h1, p1), (h2, _p2) = world["households"][va.pk]
    (h3, p3), _ = world["households"][vc.pk]
    sync(
        world["members"][va.pk],
        [visit(h1, p1, day=datetime.date(2026, 9, 3), acts=[("install_vneid", "done", 0)])],
    )
    sync(
        world["members"][vc.pk],
        [visit(h3, p3, day=datetime.date(2026, 10, 5), acts=[("smartphone_basics", "done", 1)])],
    )
    rollups_rebuild(today=TODAY)
    # Village A: 4 residents 14+, one with VNeID from September on.
    assert _row(Level.VILLAGE, va, "digital_identity", "2026-08") == (0, 4)
    assert _row(Level.VILLAGE, va, "digital_identity", "2026-09") == (1, 4)
    assert _row(Level.VILLAGE, va, "digital_identity", "2026-Q4") == (1, 4)
    assert _row(Level.COMMUNE, world["communes"][0], "digital_identity", "2026-09") == (1, 8)
    assert _row(Level.PROVINCE, world["province"], "digital_identity", "2026-09") == (1, 12)
    assert _row(Level.NATION, None, "digital_identity", "2026") == (1, 12)
    # Flow: households reached in the month only; teams active.
    assert _row(Level.VILLAGE, va, "households_reached", "2026-09") == (1, 2)
    assert _row(Level.VILLAGE, va, "households_reached", "2026-10") == (0, 2)
    assert _row(Level.COMMUNE, world["communes"][0], "teams_active", "2026-09") == (1, 2)
    assert _row(Level.PROVINCE, world["province"], "teams_active", "2026-Q4") == (1, 3)
    assert _row(Level.PROVINCE, world["province"], "smartphone", "2026-10") == (1, 12)
    assert Rollup.objects.filter(level=Level.NATION).first().computed_at is not None


def test_edit_replaces_what_the_old_version_recorded(world):
    va = world["villages"][0]
    (h1, p1), _ = world["households"][va.pk]
    member = world["members"][va.pk]
    first = uuid.uuid4()
    sync(
        member,
        [
            visit(
                h1,
                p1,
                day=datetime.date(2026, 9, 3),
                acts=[("open_payment_account", "done", 0)],
                visit_id=first,
            )
        ],
    )
    rollups_rebuild(today=TODAY)
    assert _row(Level.VILLAGE, va, "payment_account", "2026-09") == (1, 4)
    sync(
        member,
        [
            visit(
                h1,
                p1,
                day=datetime.date(2026, 9, 3),
                acts=[("open_payment_account", "not_possible", 0)],
                replaces=first,
            )
        ],
    )
    rollups_refresh(today=TODAY)
    assert _row(Level.VILLAGE, va, "payment_account", "2026-09") == (0, 4)
    assert _row(Level.VILLAGE, va, "households_reached", "2026-09") == (1, 2)  # the visit still counts once


def test_incremental_touches_only_the_villages_changed(world):
    from community_teams.models import StatusObservation

    va, vb, vc = world["villages"]
    # Everything so far is older than the last rebuild and its overlap window.
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Household.objects.update(updated_at=hour_ago - datetime.timedelta(hours=1))
    StatusObservation.objects.update(created_at=hour_ago - datetime.timedelta(hours=1))
    rollups_rebuild(now=hour_ago, today=TODAY)
    before = {r.pk: r.computed_at for r in Rollup.objects.filter(level=Level.VILLAGE, unit=vc)}
    (h1, p1), _ = world["households"][va.pk]
    sync(
        world["members"][va.pk],
        [visit(h1, p1, day=datetime.date(2026, 11, 2), acts=[("install_vneid", "done", 1)])],
    )
    later = timezone.now() + datetime.timedelta(seconds=1)
    rollups_refresh(now=later, today=TODAY)
    after = {r.pk: r.computed_at for r in Rollup.objects.filter(level=Level.VILLAGE, unit=vc)}
    assert after == before  # village C was not recomputed
    assert Rollup.objects.filter(level=Level.VILLAGE, unit=va, computed_at=later).exists()
    assert _row(Level.NATION, None, "digital_identity", "2026-11") == (1, 12)
    assert RollupWatermark.objects.get(name="rollups").visits_until == later


def test_full_rebuild_equals_incremental(world):
    rollups_rebuild(today=TODAY)
    va, vb, vc = world["villages"]
    for v in (va, vb, vc):
        (h, p), (h2, p2) = world["households"][v.pk]
        sync(
            world["members"][v.pk],
            [
                visit(
                    h,
                    p,
                    day=datetime.date(2026, 7, 9),
                    acts=[("install_vneid", "done", 0), ("scam_awareness", "done", 0)],
                ),
                visit(h2, p2, day=datetime.date(2026, 10, 1), acts=[("fibre_broadband", "done", None)]),
            ],
        )
        rollups_refresh(today=TODAY)
    incremental = rollup_snapshot()
    rollups_rebuild(today=TODAY)
    assert rollup_snapshot() == incremental
    assert any(r[2] == "fibre_household" and r[4] for r in incremental)


CODES = [
    "install_vneid",
    "activate_vneid_level2",
    "open_payment_account",
    "scam_awareness",
    "smartphone_basics",
    "fibre_broadband",
    "file_online_public_service",
    "first_cashless_payment",
]

step = st.tuples(
    st.sampled_from(["sync", "edit", "late", "delete_resident", "refresh"]),
    st.integers(0, 2),  # village
    st.integers(0, 1),  # household
    st.sampled_from(CODES),
    st.sampled_from(["done", "partly", "not_possible"]),
    st.integers(0, 150),  # days before TODAY
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=10))
def test_property_incremental_equals_rebuild(world, steps):
    """After any sequence of syncs, edits (new versions), late visits (old dates) and
    register changes, each followed or not by an incremental refresh, a final refresh
    gives exactly what a full rebuild gives."""
    from community_teams.indicators.models import Rollup as R
    from community_teams.models import Resident, SupportVisit

    R.objects.all().delete()
    RollupWatermark.objects.all().delete()
    rollups_rebuild(today=TODAY)
    for action, vi, hi, code, outcome, back in steps:
        village = world["villages"][vi]
        household, people = world["households"][village.pk][hi]
        member = world["members"][village.pk]
        resident = None if code == "fibre_broadband" else 0
        day = TODAY - datetime.timedelta(days=back if action != "late" else 120 + back)
        if action == "sync" or action == "late":
            sync(
                member,
                [
                    visit(
                        household,
                        people,
                        day=max(day, datetime.date(2026, 6, 1)),
                        acts=[(code, outcome, resident)],
                    )
                ],
            )
        elif action == "edit":
            old = SupportVisit.objects.filter(household=household, replaced_by__isnull=True).first()
            if old:
                sync(
                    member,
                    [
                        visit(
                            household,
                            people,
                            day=old.visited_on,
                            acts=[(code, outcome, resident)],
                            replaces=old.pk,
                        )
                    ],
                )
        elif action == "delete_resident":
            Resident.objects.filter(pk=people[1].pk).update(deleted=True)
            Household.objects.filter(pk=household.pk).update(updated_at=timezone.now())
        else:
            rollups_refresh(today=TODAY)
    rollups_refresh(today=TODAY)
    incremental = rollup_snapshot()
    rollups_rebuild(today=TODAY)
    assert rollup_snapshot() == incremental
    Resident.objects.filter(
        pk__in=[p.pk for v in world["households"].values() for _h, ps in v for p in ps]
    ).update(deleted=False)


def test_refresh_of_no_village_is_harmless(world):
    assert rollups_refresh_villages(village_ids=[], today=TODAY) == 0


def test_jobs_are_registered_scheduled_and_run_through_the_outbox(world):
    from lms.celery_app import app
    from lms.jobs.models import OutboxJob
    from lms.jobs.registry import handler_get
    from lms.jobs.services import job_enqueue

    schedule = {e["args"][0] for e in app.conf.beat_schedule.values() if e.get("args")}
    assert {"indicators.rollups_refresh", "indicators.rollups_rebuild"} <= schedule
    assert handler_get("indicators.rollups_refresh") and handler_get("indicators.rollups_rebuild")
    job = job_enqueue(task="indicators.rollups_rebuild", kwargs={})
    from lms.jobs.services import job_run

    job_run(job_id=job.pk)
    assert OutboxJob.objects.get(pk=job.pk).state == OutboxJob.State.DONE
    assert Rollup.objects.filter(level=Level.NATION).exists()


def test_a_sync_enqueues_the_refresh_that_updates_the_rollups(world, django_capture_on_commit_callbacks):
    from lms.jobs.models import OutboxJob

    va = world["villages"][0]
    (h1, p1), _ = world["households"][va.pk]
    rollups_rebuild(today=TODAY)
    assert _row(Level.VILLAGE, va, "digital_identity", "2026-09") == (0, 4)
    with django_capture_on_commit_callbacks(execute=True):
        sync(
            world["members"][va.pk],
            [visit(h1, p1, day=datetime.date(2026, 9, 3), acts=[("install_vneid", "done", 0)])],
        )
    # The hook wrote one refresh job in the sync's transaction; eager mode ran it on commit.
    jobs = OutboxJob.objects.filter(task="indicators.rollups_refresh")
    assert [j.state for j in jobs] == [OutboxJob.State.DONE]
    assert _row(Level.VILLAGE, va, "digital_identity", "2026-09") == (1, 4)
    assert _row(Level.NATION, None, "digital_identity", "2026-09") == (1, 12)
