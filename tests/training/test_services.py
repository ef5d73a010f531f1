"""Rules of employment history, plans, assignments, exemptions, extensions, sessions and
deadlines (each rule asserted, and its refusal)."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from assessments.services import evidence_record
from courses.models import CourseCompletion
from courses.training import hooks
from courses.training.models import VN_TZ, Employment, PlanAssignment, deadline_instant
from courses.training.selectors import position_target_for
from courses.training.services import (
    assignment_exempt,
    assignment_exempt_revoke,
    assignment_extend,
    assignment_refresh,
    employment_end,
    employment_move,
    employment_start,
    plan_create,
    plans_recur,
    position_create,
    position_target_set,
    session_record,
)
from lms.accounts.models import Role, RoleAssignment
from lms.accounts.selectors import agencies_visible_to
from tests.factories import UserFactory
from tests.training.conftest import course_complete, staff

pytestmark = pytest.mark.django_db
D = datetime.date
S = PlanAssignment.Status


def at(day: datetime.date, hh: int, mm: int, ss: int = 0, us: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hh, mm, ss, us, tzinfo=VN_TZ)


def frozen(instant: datetime.datetime):
    return mock.patch("django.utils.timezone.now", return_value=instant.astimezone(datetime.UTC))


# --- Deadlines --------------------------------------------------------------------------


def test_deadline_instant_is_midnight_after_the_day_in_vietnam():
    instant = deadline_instant(D(2026, 12, 15))
    assert instant == at(D(2026, 12, 16), 0, 0)
    assert instant.astimezone(datetime.UTC) == datetime.datetime(2026, 12, 15, 17, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("when", "on_time"),
    [
        (at(D(2026, 12, 15), 23, 59), True),
        (at(D(2026, 12, 15), 23, 59, 59, 999000), True),
        (at(D(2026, 12, 16), 0, 0), False),
    ],
)
def test_completing_on_the_deadline_day_counts_on_time(tree, courses, when, on_time):
    person = staff(tree["a"])
    with frozen(at(D(2026, 6, 1), 9, 0)):
        plan = plan_create(
            name="KH", year=2026, agency=tree["so"], deadline=D(2026, 12, 15), courses=[courses["c1"]]
        )
    with frozen(when):
        course_complete(courses["c1"], person)
    row = PlanAssignment.objects.get(plan=plan, user=person)
    assert row.status == S.COMPLETED
    assert row.completed_at == when
    assert (row.completed_at < row.due_before) is on_time


def test_extension_moves_the_deadline_used_for_the_verdict(tree, courses, manager):
    person = staff(tree["a"])
    with frozen(at(D(2026, 6, 1), 9, 0)):
        plan = plan_create(
            name="KH", year=2026, agency=tree["so"], deadline=D(2026, 9, 30), courses=[courses["c1"]]
        )
    row = PlanAssignment.objects.get(plan=plan, user=person)
    with pytest.raises(ValidationError):
        assignment_extend(assignment=row, until=D(2026, 10, 31), reason="", by=manager)
    with pytest.raises(ValidationError):
        assignment_extend(assignment=row, until=D(2026, 9, 30), reason="Ốm dài ngày", by=manager)
    row = assignment_extend(assignment=row, until=D(2026, 10, 31), reason="Ốm dài ngày", by=manager)
    assert (row.due_on, row.due_before) == (D(2026, 10, 31), at(D(2026, 11, 1), 0, 0))
    assert (row.extension_reason, row.extended_by) == ("Ốm dài ngày", manager)
    with frozen(at(D(2026, 10, 31), 23, 59)):
        course_complete(courses["c1"], person)
    row.refresh_from_db()
    assert row.status == S.COMPLETED and row.completed_at < row.due_before
    # a refresh keeps the extended date
    assert assignment_refresh(assignment_id=row.pk).due_on == D(2026, 10, 31)


# --- Employment ---------------------------------------------------------------------------


def test_employment_start_gives_a_civil_servant_role_over_the_agency(tree, positions):
    person = UserFactory()
    e = employment_start(
        user=person,
        agency=tree["a"],
        position=positions["cv"],
        category="cong_chuc",
        valid_from=D(2026, 1, 1),
    )
    assert e.role_assignment.role == Role.CIVIL_SERVANT and e.role_assignment.agency == tree["a"]
    assert list(agencies_visible_to(user=person)) == [tree["a"]]


def test_overlapping_employment_is_refused(tree):
    person = staff(tree["a"], valid_from=D(2026, 1, 1))
    with pytest.raises(ValidationError):
        employment_start(user=person, agency=tree["b"], category="cong_chuc", valid_from=D(2026, 3, 1))
    with pytest.raises(ValidationError):
        employment_start(user=person, agency=tree["b"], category="vien_chuc", valid_from=D(2025, 6, 1))
    assert Employment.objects.filter(user=person).count() == 1


def test_database_refuses_overlap_even_past_the_service(tree):
    person = staff(tree["a"], valid_from=D(2026, 1, 1))
    # A second open row: refused on every database (unique open employment).
    with pytest.raises(IntegrityError), transaction.atomic():
        Employment.objects.create(
            user=person, agency=tree["b"], category="cong_chuc", valid_from=D(2026, 5, 1)
        )
    if connection.vendor == "postgresql":
        # A closed row overlapping the open one: refused by the exclusion constraint.
        with pytest.raises(IntegrityError), transaction.atomic():
            Employment.objects.create(
                user=person,
                agency=tree["b"],
                category="cong_chuc",
                valid_from=D(2025, 12, 1),
                valid_to=D(2026, 2, 1),
            )


def test_position_must_belong_to_the_agency_or_an_ancestor(tree, positions):
    foreign = position_create(agency=tree["other"], code="cv", name="Chuyên viên khác")
    with pytest.raises(ValidationError):
        employment_start(user=UserFactory(), agency=tree["a"], position=foreign, category="cong_chuc")


def test_move_mid_year_ends_one_employment_and_starts_the_next(tree, positions, courses):
    person = staff(tree["a"], position=positions["cv"], valid_from=D(2025, 1, 1))
    with frozen(at(D(2026, 3, 1), 9, 0)):
        plan_so = plan_create(
            name="Toàn Sở", year=2026, agency=tree["so"], deadline=D(2026, 12, 15), courses=[courses["c1"]]
        )
        plan_a = plan_create(
            name="Riêng phòng A",
            year=2026,
            agency=tree["a"],
            deadline=D(2026, 12, 15),
            courses=[courses["c2"]],
        )
    with frozen(at(D(2026, 6, 15), 9, 0)):
        new = employment_move(user=person, agency=tree["b"], on=D(2026, 6, 15))
    old = Employment.objects.get(user=person, agency=tree["a"])
    assert (old.valid_from, old.valid_to) == (D(2025, 1, 1), D(2026, 6, 14))
    assert (new.valid_from, new.valid_to, new.agency, new.position) == (
        D(2026, 6, 15),
        None,
        tree["b"],
        positions["cv"],
    )
    assert old.role_assignment.valid_to == D(2026, 6, 14)
    assert new.role_assignment.agency == tree["b"] and new.role_assignment.valid_to is None
    # still covered by the Sở-wide plan: same row, now counted in B (one person, once)
    rows = PlanAssignment.objects.filter(user=person)
    assert rows.count() == 2
    so_row = rows.get(plan=plan_so)
    assert (so_row.agency, so_row.left_on) == (tree["b"], None)
    # no longer under division A's plan: stops counting from the day after the last day there
    a_row = rows.get(plan=plan_a)
    assert a_row.left_on == D(2026, 6, 14)
    # the month-by-month history stays in Employment
    may = Employment.objects.filter(user=person).active_on(D(2026, 5, 31)).get()
    july = Employment.objects.filter(user=person).active_on(D(2026, 7, 31)).get()
    assert (may.agency, july.agency) == (tree["a"], tree["b"])


def test_move_on_the_first_day_is_refused(tree):
    person = staff(tree["a"], valid_from=D(2026, 6, 1))
    with pytest.raises(ValidationError):
        employment_move(user=person, agency=tree["b"], on=D(2026, 6, 1))
    with pytest.raises(ValidationError):
        employment_move(user=UserFactory(), agency=tree["b"], on=D(2026, 6, 1))


def test_moving_back_counts_the_person_again(tree, courses):
    person = staff(tree["a"], valid_from=D(2025, 1, 1))
    with frozen(at(D(2026, 3, 1), 9, 0)):
        plan = plan_create(
            name="A", year=2026, agency=tree["a"], deadline=D(2026, 12, 15), courses=[courses["c1"]]
        )
    with frozen(at(D(2026, 4, 1), 9, 0)):
        employment_move(user=person, agency=tree["b"], on=D(2026, 4, 1))
    assert PlanAssignment.objects.get(plan=plan, user=person).left_on == D(2026, 3, 31)
    with frozen(at(D(2026, 5, 1), 9, 0)):
        employment_move(user=person, agency=tree["a"], on=D(2026, 5, 1))
    assert PlanAssignment.objects.get(plan=plan, user=person).left_on is None


def test_ending_employment_ends_role_and_stops_counting(tree, courses):
    person = staff(tree["a"], valid_from=D(2025, 1, 1))
    with frozen(at(D(2026, 3, 1), 9, 0)):
        plan = plan_create(
            name="A", year=2026, agency=tree["so"], deadline=D(2026, 12, 15), courses=[courses["c1"]]
        )
        e = Employment.objects.get(user=person)
        employment_end(employment=e, on=D(2026, 3, 1))
    e.refresh_from_db()
    assert e.valid_to == D(2026, 3, 1)
    assert RoleAssignment.objects.get(pk=e.role_assignment_id).valid_to == D(2026, 3, 1)
    assert PlanAssignment.objects.get(plan=plan, user=person).left_on == D(2026, 3, 1)
    with pytest.raises(ValidationError):
        employment_end(employment=e, on=D(2024, 1, 1))


# --- Plans and assignment -----------------------------------------------------------------


def test_plan_assigns_the_subtree_matching_filters(tree, positions, courses):
    in_a = staff(tree["a"], position=positions["cv"], category="cong_chuc")
    in_b_vc = staff(tree["b"], position=positions["cv"], category="vien_chuc")
    in_b_tp = staff(tree["b"], position=positions["tp"], category="cong_chuc")
    staff(tree["other_div"], category="cong_chuc")
    plan = plan_create(
        name="Chuyên viên công chức",
        year=2026,
        agency=tree["so"],
        deadline=D(2026, 12, 31),
        courses=[courses["c1"]],
        positions=[positions["cv"]],
        categories=["cong_chuc"],
    )
    assert set(PlanAssignment.objects.filter(plan=plan).values_list("user_id", flat=True)) == {in_a.pk}
    everyone = plan_create(
        name="Mọi người", year=2026, agency=tree["so"], deadline=D(2026, 12, 31), courses=[courses["c1"]]
    )
    assert set(PlanAssignment.objects.filter(plan=everyone).values_list("user_id", flat=True)) == {
        in_a.pk,
        in_b_vc.pk,
        in_b_tp.pk,
    }


def test_plan_needs_a_requirement_and_a_sane_deadline(tree):
    with pytest.raises(ValidationError) as info:
        plan_create(name="", year=2026, agency=tree["so"], deadline=D(2025, 12, 31), categories=["x"])
    assert {"name", "courses", "deadline", "categories"} <= set(info.value.message_dict)


def test_people_who_join_later_get_the_plan(tree, courses):
    plan = plan_create(
        name="KH",
        year=timezone.localdate().year,
        agency=tree["so"],
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        courses=[courses["c1"]],
    )
    joiner = staff(tree["b"], valid_from=timezone.localdate())
    row = PlanAssignment.objects.get(plan=plan, user=joiner)
    assert (row.agency, row.status, row.items_required) == (tree["b"], S.NOT_STARTED, 1)
    outsider = staff(tree["other_div"], valid_from=timezone.localdate())
    assert not PlanAssignment.objects.filter(plan=plan, user=outsider).exists()


def test_progress_counts_courses_and_levels(tree, courses, frameworks, django_capture_on_commit_callbacks):
    person = staff(tree["a"])
    plan = plan_create(
        name="KH",
        year=timezone.localdate().year,
        agency=tree["so"],
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        courses=[courses["c1"], courses["c2"]],
        competence_levels={"digcomp-2.2:4.2": 3},
    )
    row = PlanAssignment.objects.get(plan=plan, user=person)
    assert (row.items_required, row.items_done, row.status) == (3, 0, S.NOT_STARTED)
    course_complete(courses["c1"], person)
    row.refresh_from_db()
    assert (row.items_done, row.status) == (1, S.IN_PROGRESS)
    course_complete(courses["c2"], person)
    with django_capture_on_commit_callbacks(execute=True):
        evidence_record(person=person, competence_code="digcomp-2.2:4.2", level=2, method="quiz")
    row.refresh_from_db()
    assert (row.items_done, row.status) == (2, S.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        evidence_record(person=person, competence_code="digcomp-2.2:4.2", level=3, method="quiz")
    row.refresh_from_db()  # the evidence job (eager, on commit) refreshed it
    assert (row.items_done, row.status) == (3, S.COMPLETED)
    assert row.completed_at is not None


def test_enrolling_in_a_required_course_is_in_progress(tree, courses):
    from courses.services import enrolment_create

    person = staff(tree["a"])
    plan = plan_create(
        name="KH",
        year=timezone.localdate().year,
        agency=tree["so"],
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        courses=[courses["c1"]],
    )
    enrolment_create(learner=person, course=courses["c1"])
    assert (
        assignment_refresh(assignment_id=PlanAssignment.objects.get(plan=plan, user=person).pk).status
        == S.IN_PROGRESS
    )


def test_completion_before_the_plan_year_does_not_count(tree, courses):
    person = staff(tree["a"], valid_from=D(2025, 1, 1))
    with frozen(at(D(2025, 12, 31), 23, 0)):
        course_complete(courses["c1"], person)
    with frozen(at(D(2026, 1, 5), 9, 0)):
        plan = plan_create(
            name="KH", year=2026, agency=tree["so"], deadline=D(2026, 12, 1), courses=[courses["c1"]]
        )
    assert PlanAssignment.objects.get(plan=plan, user=person).status == S.NOT_STARTED


def test_callbacks_hear_of_changed_assignments(tree, courses):
    heard = []

    def listen(*, assignment_ids):
        heard.extend(assignment_ids)

    hooks.on_assignment_changed(listen)
    try:
        person = staff(tree["a"])
        plan = plan_create(
            name="KH",
            year=timezone.localdate().year,
            agency=tree["so"],
            deadline=timezone.localdate() + datetime.timedelta(days=30),
            courses=[courses["c1"]],
        )
        row = PlanAssignment.objects.get(plan=plan, user=person)
        assert row.pk in heard
        heard.clear()
        course_complete(courses["c1"], person)
        assert heard == [row.pk]
    finally:
        hooks.on_assignment_changed_unregister(listen)


# --- Exemptions -------------------------------------------------------------------------------


def test_exemption_needs_a_reason_and_is_recorded(tree, courses, manager):
    person = staff(tree["a"])
    plan = plan_create(
        name="KH",
        year=timezone.localdate().year,
        agency=tree["so"],
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        courses=[courses["c1"]],
    )
    row = PlanAssignment.objects.get(plan=plan, user=person)
    with pytest.raises(ValidationError):
        assignment_exempt(assignment=row, reason=" ", by=manager)
    row = assignment_exempt(assignment=row, reason="Nghỉ thai sản", by=manager)
    assert (row.status, row.exempt_reason, row.exempt_by) == (S.EXEMPT, "Nghỉ thai sản", manager)
    with pytest.raises(ValidationError):
        assignment_exempt(assignment=row, reason="lần nữa", by=manager)
    # evidence later does not undo the exemption
    course_complete(courses["c1"], person)
    row.refresh_from_db()
    assert row.status == S.EXEMPT and row.completed_at is None
    row = assignment_exempt_revoke(assignment=row, by=manager)
    assert row.status == S.COMPLETED


def test_completed_assignment_cannot_be_exempted(tree, courses, manager):
    person = staff(tree["a"])
    plan = plan_create(
        name="KH",
        year=timezone.localdate().year,
        agency=tree["so"],
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        courses=[courses["c1"]],
    )
    course_complete(courses["c1"], person)
    with pytest.raises(ValidationError):
        assignment_exempt(
            assignment=PlanAssignment.objects.get(plan=plan, user=person), reason="x y z", by=manager
        )


# --- In-person sessions ---------------------------------------------------------------------


def test_in_person_session_counts_as_completion(tree, courses, manager):
    a, b = staff(tree["a"]), staff(tree["b"])
    outsider = staff(tree["other_div"])
    today = timezone.localdate()
    plan = plan_create(
        name="KH",
        year=today.year,
        agency=tree["so"],
        deadline=today + datetime.timedelta(days=30),
        courses=[courses["c1"]],
    )
    with pytest.raises(ValidationError) as info:
        session_record(
            agency=tree["so"],
            course=courses["c1"],
            date=today,
            place="Hội trường",
            trainer="TS. Lê",
            attendees=[a, outsider],
            by=manager,
        )
    assert "attendees" in info.value.message_dict
    with pytest.raises(ValidationError):
        session_record(
            agency=tree["so"],
            course=courses["c1"],
            date=today + datetime.timedelta(days=1),
            place="Hội trường",
            trainer="TS. Lê",
            attendees=[a],
            by=manager,
        )
    session = session_record(
        agency=tree["so"],
        course=courses["c1"],
        date=today,
        place="Hội trường",
        trainer="TS. Lê",
        attendees=[a],
        by=manager,
    )
    assert session.attendance.count() == 1
    row_a = PlanAssignment.objects.get(plan=plan, user=a)
    assert row_a.status == S.COMPLETED
    assert row_a.completed_at == datetime.datetime(today.year, today.month, today.day, tzinfo=VN_TZ)
    assert PlanAssignment.objects.get(plan=plan, user=b).status == S.NOT_STARTED
    assert not CourseCompletion.objects.filter(learner=a).exists()  # evidence, not a course completion


# --- Positions and their targets by year ---------------------------------------------------


def test_position_targets_are_versioned_by_year(positions, frameworks):
    cv = positions["cv"]
    t2025 = position_target_set(position=cv, year=2025, levels={"digcomp-2.2:4.2": 2})
    t2027 = position_target_set(position=cv, year=2027, levels={"digcomp-2.2:4.2": 3, "digcomp-2.2:1.1": 2})
    assert position_target_for(position_id=cv.pk, year=2024) is None
    assert position_target_for(position_id=cv.pk, year=2026).profile == t2025.profile
    assert position_target_for(position_id=cv.pk, year=2030).profile == t2027.profile
    # editing 2027 again replaces 2027's levels and leaves 2025's alone
    position_target_set(position=cv, year=2027, levels={"digcomp-2.2:4.2": 4})
    assert list(t2027.profile.levels.values_list("level", flat=True)) == [4]
    assert list(t2025.profile.levels.values_list("level", flat=True)) == [2]
    with pytest.raises(ValidationError):
        position_target_set(position=cv, year=2027, levels={"digcomp-2.2:4.2": 9})
    with pytest.raises(ValidationError):
        position_target_set(position=cv, year=2027, levels={"tt02-2025:1.1": 2})
    with pytest.raises(ValidationError):
        position_target_set(position=cv, year=2027, levels={})


def test_recurring_plan_is_copied_once_a_year(tree, courses):
    staff(tree["a"], valid_from=D(2025, 1, 1))
    with frozen(at(D(2026, 2, 1), 9, 0)):
        plan = plan_create(
            name="Hằng năm",
            year=2026,
            agency=tree["so"],
            deadline=D(2026, 2, 28),
            courses=[courses["c1"]],
            recurs_yearly=True,
        )
    with frozen(at(D(2027, 1, 1), 1, 0)):
        made = plans_recur()
        assert plans_recur() == []
    assert len(made) == 1 and made[0].previous == plan
    assert (made[0].year, made[0].deadline) == (2027, D(2027, 2, 28))
    assert made[0].assignments.count() == 1


def test_joining_after_the_deadline_assigns_nothing(tree, courses):
    with frozen(at(D(2026, 3, 1), 9, 0)):
        plan = plan_create(
            name="Quý I", year=2026, agency=tree["so"], deadline=D(2026, 3, 31), courses=[courses["c1"]]
        )
    with frozen(at(D(2026, 4, 1), 9, 0)):
        late_joiner = staff(tree["a"], valid_from=D(2026, 4, 1))
    with frozen(at(D(2026, 3, 31), 9, 0)):
        on_the_day = staff(tree["a"], valid_from=D(2026, 3, 31))
    assert not PlanAssignment.objects.filter(plan=plan, user=late_joiner).exists()
    assert PlanAssignment.objects.filter(plan=plan, user=on_the_day).exists()
