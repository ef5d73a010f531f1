"""Incremental refresh (assignment hook → dirty marks → job) against the full rebuild."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from assessments.loading import frameworks_load
from assessments.services import evidence_record
from courses.compliance.models import (
    AreaRollup,
    AssignmentRollup,
    CompetenceRollup,
    DirtyAgency,
    MonthRollup,
    StaffRollup,
)
from courses.compliance.selectors import compliance_for_agency
from courses.compliance.services import REFRESH_JOB, rollups_rebuild
from courses.training import hooks
from courses.training.models import PlanAssignment
from courses.training.services import (
    assignment_exempt,
    assignment_extend,
    assignments_refresh,
    employment_move,
    employment_start,
    plan_create,
    position_create,
    position_target_set,
)
from lms.jobs.models import OutboxJob
from tests.factories import UserFactory

from .conftest import assignment_row, manager_of, plan_row

pytestmark = pytest.mark.django_db
D = datetime.date


def snapshot() -> dict:
    return {
        "assign": sorted(AssignmentRollup.objects.values_list(
            "year", "plan_id", "agency_id", "position_id", "category", "due_before", "assigned", "on_time",
            "late", "in_progress", "not_started", "exempt")),
        "month": sorted(MonthRollup.objects.values_list(
            "year", "plan_id", "agency_id", "month", "assigned", "on_time", "late", "overdue")),
        "competence": sorted(CompetenceRollup.objects.values_list(
            "year", "agency_id", "competence_id", "with_target", "below")),
        "area": sorted(AreaRollup.objects.values_list(
            "year", "agency_id", "area_id", "with_target", "at_level")),
        "staff": sorted(StaffRollup.objects.values_list("year", "agency_id", "staff", "trained")),
    }


def hand_count(agency_ids: set[int], year: int, now) -> dict[str, int]:
    """An independent count straight from PlanAssignment rows (docs/training.md)."""
    out = dict.fromkeys(("assigned", "on_time", "late", "in_progress", "not_started", "overdue", "exempt"), 0)
    for row in PlanAssignment.objects.filter(agency_id__in=agency_ids, plan__year=year):
        if row.status == "exempt":
            out["exempt"] += 1
            continue
        if row.left_on and row.status != "completed":
            continue
        out["assigned"] += 1
        if row.status == "completed":
            out["on_time" if row.completed_at < row.due_before else "late"] += 1
        else:
            out[row.status] += 1
            out["overdue"] += row.due_before <= now
    return out


def test_marks_commit_with_the_writing_transaction(tree):
    plan = plan_row(agency=tree["so"])
    row = assignment_row(plan, UserFactory(), tree["a"])
    with pytest.raises(RuntimeError), transaction.atomic():
        hooks.assignments_changed(assignment_ids=[row.pk])
        assert DirtyAgency.objects.filter(agency=tree["a"], year=2025).exists()
        raise RuntimeError("roll back")
    assert not DirtyAgency.objects.exists()
    assert not OutboxJob.objects.filter(task=REFRESH_JOB).exists()
    hooks.assignments_changed(assignment_ids=[row.pk])
    assert set(DirtyAgency.objects.values_list("agency_id", "year")) == {(tree["a"].pk, 2025)}
    assert OutboxJob.objects.filter(task=REFRESH_JOB).count() == 1
    hooks.assignments_changed(assignment_ids=[row.pk])  # one pending job is enough
    assert OutboxJob.objects.filter(task=REFRESH_JOB).count() == 1


def test_incremental_refresh_equals_full_rebuild_after_a_series_of_changes(
    tree, django_capture_on_commit_callbacks
):
    """Through the training services: plan, completions, a move in June, an exemption,
    an extension; each change marks agencies dirty and the job refreshes only those."""
    frameworks_load()
    year = timezone.localdate().year
    manager = manager_of(tree["so"])
    cv = position_create(agency=tree["so"], code="cv", name="Chuyên viên")
    position_target_set(position=cv, year=year, levels={"digcomp-2.2:1.1": 2, "digcomp-2.2:2.1": 3})
    people = []
    with django_capture_on_commit_callbacks(execute=True):
        for agency in (tree["a"], tree["a"], tree["a1"], tree["b"], tree["b"], tree["so"]):
            person = UserFactory()
            employment_start(user=person, agency=agency, position=cv, category="cong_chuc",
                             valid_from=D(year, 1, 1))
            people.append(person)
    with django_capture_on_commit_callbacks(execute=True):
        plan = plan_create(name="Kỹ năng số cơ bản", year=year, agency=tree["so"], deadline=D(year, 12, 31),
                           competence_levels={"digcomp-2.2:1.1": 2})
    assert not DirtyAgency.objects.exists()  # the job consumed the marks
    assert hand_count({tree["a"].pk}, year, timezone.now())["assigned"] == 2
    rows = {r.user_id: r for r in PlanAssignment.objects.filter(plan=plan)}

    with django_capture_on_commit_callbacks(execute=True):
        evidence_record(person=people[0], competence_code="digcomp-2.2:1.1", level=3, method="quiz",
                        date=D(year, 3, 2))
        assignments_refresh(assignment_ids=[rows[people[0].pk].pk])
    with django_capture_on_commit_callbacks(execute=True):
        employment_move(user=people[1], agency=tree["b"], on=D(year, 6, 15))
    with django_capture_on_commit_callbacks(execute=True):
        assignment_exempt(assignment=rows[people[2].pk], reason="Nghỉ thai sản", by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        assignment_extend(assignment=rows[people[3].pk], until=D(year + 1, 1, 31), reason="Ốm dài ngày",
                          by=manager)
    assert not DirtyAgency.objects.exists()
    incremental = snapshot()
    assert incremental["assign"]

    now = timezone.now()
    for agency in tree.values():
        ids = set(type(agency).objects.within(agency).values_list("pk", flat=True))
        assert compliance_for_agency(agency=agency, year=year, now=now).totals.as_dict() == (
            hand_count(ids, year, now) | {"completed": hand_count(ids, year, now)["on_time"]
                                          + hand_count(ids, year, now)["late"]})
    # The move: people[1] now counted in Phòng B, and in B's months from June.
    b = compliance_for_agency(agency=tree["b"], year=year, now=now)
    assert b.totals.assigned == 3
    a = compliance_for_agency(agency=tree["a"], year=year, now=now)
    month = timezone.localdate(now).month  # the plan was assigned this month: earlier months are empty
    assert [m.assigned for m in a.months][: month - 1] == [0] * (month - 1)
    assert a.months[month - 1].assigned == 1  # people[0]; Tổ A1's person is exempt, people[1] moved
    assert b.months[month - 1].assigned == 3
    assert a.months[month - 1].on_time == 1

    rollups_rebuild()
    assert snapshot() == incremental


def test_nightly_rebuild_job_through_the_outbox(counted, django_capture_on_commit_callbacks):
    """Bulk loads bypass the hook; the nightly job (beat → outbox) brings rollups up to date."""
    from lms.celery_app import app
    from lms.jobs.services import job_enqueue

    schedule = {e["args"][0] for e in app.conf.beat_schedule.values() if e.get("args")}
    assert {"compliance.rollups_rebuild", "compliance.rollups_refresh"} <= schedule
    assert not AssignmentRollup.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(task="compliance.rollups_rebuild", kwargs={})
    job.refresh_from_db()
    assert job.state == OutboxJob.State.DONE
    assert compliance_for_agency(agency=counted["so"], year=2025).totals.assigned == 9
