"""Compliance figures against hand-counted fixtures (see conftest.counted)."""

import datetime

import pytest

from courses.compliance.models import AssignmentRollup, MonthRollup, StaffRollup
from courses.compliance.selectors import compliance_for_agency
from courses.compliance.services import rollups_rebuild, rollups_recompute
from tests.factories import UserFactory, make_agency

from .conftest import NOW, assignment_row, employment_row, plan_row, vn

pytestmark = pytest.mark.django_db


def figures(f):
    return (f.assigned, f.on_time, f.late, f.in_progress, f.not_started, f.overdue, f.exempt)


def test_hand_counted_totals_children_and_direct(counted):
    rollups_rebuild(now=NOW)
    report = compliance_for_agency(agency=counted["so"], year=2025, now=NOW)
    assert figures(report.totals) == (9, 4, 1, 2, 2, 2, 1)
    children = {row.label: figures(row.figures) for row in report.children}
    assert children == {"Phòng A": (7, 3, 1, 1, 2, 2, 1), "Phòng B": (1, 0, 0, 1, 0, 0, 0)}
    assert figures(report.direct) == (1, 1, 0, 0, 0, 0, 0)
    # Drill down: Phòng A's own page splits Tổ A1 off.
    a = compliance_for_agency(agency=counted["a"], year=2025, now=NOW)
    assert figures(a.totals) == (7, 3, 1, 1, 2, 2, 1)
    assert {row.label: figures(row.figures) for row in a.children} == {"Tổ A1": (2, 1, 0, 0, 1, 1, 0)}
    assert figures(a.direct) == (5, 2, 1, 1, 1, 1, 1)


def test_the_other_agency_never_leaks_into_the_tree(counted):
    rollups_rebuild(now=NOW)
    other = compliance_for_agency(agency=counted["other"], year=2025, now=NOW)
    assert figures(other.totals) == (1, 0, 0, 0, 1, 1, 0)
    so = compliance_for_agency(agency=counted["so"], year=2025, now=NOW)
    assert [p.name for p in so.plans] == ["Kế hoạch bồi dưỡng 2025"]
    # Asking the Sở's figures for the other Sở's plan falls back to the Sở's own plans.
    foreign = compliance_for_agency(agency=counted["so"], year=2025, plan_id=counted["other_plan"].pk,
                                    now=NOW)
    assert figures(foreign.totals) == figures(so.totals)


def test_deadline_on_the_day(counted):
    """23:59:59 on the deadline day is on time, 00:00 the next day is late."""
    rollups_rebuild(now=NOW)
    rows = counted["rows"]
    a = compliance_for_agency(agency=counted["a"], year=2025, now=NOW)
    assert (a.direct.on_time, a.direct.late) == (2, 1)  # users 1 and 7 on time, 2 late
    rows[1].completed_at = vn(2025, 7, 1, 0, 0, 0)
    rows[1].save()
    rollups_rebuild(now=NOW)
    a = compliance_for_agency(agency=counted["a"], year=2025, now=NOW)
    assert (a.direct.on_time, a.direct.late) == (1, 2)


def test_overdue_is_read_at_report_time_not_at_refresh_time(counted):
    """Rollups made before a deadline still show overdue once it has passed."""
    rollups_rebuild(now=vn(2025, 3, 1, 0, 0))
    before = compliance_for_agency(agency=counted["so"], year=2025, now=vn(2025, 6, 30, 23, 59, 59))
    after = compliance_for_agency(agency=counted["so"], year=2025, now=vn(2025, 7, 1, 0, 0))
    assert before.totals.overdue == 0
    # Open rows on the plan's deadline: users 3 and 8 (4 and 10 have extensions).
    assert after.totals.overdue == 2


def test_extension_moves_the_deadline(counted):
    rollups_rebuild(now=NOW)
    b = compliance_for_agency(agency=counted["b"], year=2025, now=NOW)
    assert b.totals.overdue == 0  # extended to 31/12/2025
    b_jan = compliance_for_agency(agency=counted["b"], year=2025, now=vn(2026, 1, 1, 0, 0))
    assert b_jan.totals.overdue == 1


def test_by_position_and_category(counted):
    rollups_rebuild(now=NOW)
    report = compliance_for_agency(agency=counted["so"], year=2025, now=NOW)
    by_position = {row.label: figures(row.figures) for row in report.by_position}
    assert by_position == {"Chuyên viên": (7, 2, 1, 2, 2, 2, 1), "Trưởng phòng": (2, 2, 0, 0, 0, 0, 0)}
    by_category = {row.key: figures(row.figures) for row in report.by_category}
    assert by_category == {"cong_chuc": (8, 3, 1, 2, 2, 2, 1), "vien_chuc": (1, 1, 0, 0, 0, 0, 0)}


def test_staff_rollup_counts_people_once(counted):
    """A second plan for user 1 makes two assignments but one person."""
    second = plan_row(agency=counted["so"], name="Kế hoạch bổ sung 2025",
                      deadline=datetime.date(2025, 11, 30))
    assignment_row(second, counted["users"][1], counted["a"], status="not_started")
    rollups_rebuild(now=NOW)
    report = compliance_for_agency(agency=counted["so"], year=2025, now=NOW)
    assert report.totals.assigned == 10
    staff = {r.agency_id: (r.staff, r.trained) for r in StaffRollup.objects.filter(year=2025)}
    # Phòng A direct: users 1, 2, 3, 4, 7 counted; 2 and 7 completed all, 1 not any more.
    assert staff[counted["a"].pk] == (5, 2)


def test_month_trend_move_in_june_counted_once_in_the_right_agency(tree):
    """Moved from Phòng A to Phòng B on 15/06/2025: January–May in A, June (the
    employment in force on 30 June) to December in B; never twice, never lost."""
    user = UserFactory()
    employment_row(user, tree["a"], datetime.date(2024, 3, 1), datetime.date(2025, 6, 14))
    employment_row(user, tree["b"], datetime.date(2025, 6, 15))
    plan = plan_row(agency=tree["so"], deadline=datetime.date(2025, 10, 31))
    assignment_row(plan, user, tree["b"], status="completed", completed_at=vn(2025, 9, 10, 14, 0))
    now = vn(2026, 1, 10, 9, 0)
    rollups_rebuild(now=now)

    def months(agency):
        return {m.month: (m.assigned, m.completed) for m in
                compliance_for_agency(agency=agency, year=2025, now=now).months if m.assigned}

    assert months(tree["a"]) == {m: (1, 0) for m in range(1, 6)}
    assert months(tree["b"]) == {6: (1, 0), 7: (1, 0), 8: (1, 0), 9: (1, 1), 10: (1, 1), 11: (1, 1),
                                 12: (1, 1)}
    assert months(tree["so"]) == {m: (1, int(m >= 9)) for m in range(1, 13)}
    # Now: counted once, where they are.
    assert compliance_for_agency(agency=tree["a"], year=2025, now=now).totals.assigned == 0
    assert compliance_for_agency(agency=tree["b"], year=2025, now=now).totals.assigned == 1


def test_month_trend_joiner_left_and_overdue(tree):
    plan = plan_row(agency=tree["so"], deadline=datetime.date(2025, 6, 30))
    joiner, leaver = UserFactory(), UserFactory()
    employment_row(joiner, tree["a"], datetime.date(2025, 4, 20))
    assignment_row(plan, joiner, tree["a"], status="not_started", assigned_on=datetime.date(2025, 4, 20))
    employment_row(leaver, tree["a"], datetime.date(2020, 1, 1), datetime.date(2025, 8, 31))
    assignment_row(plan, leaver, tree["a"], status="in_progress", left_on=datetime.date(2025, 9, 1))
    rollups_rebuild(now=vn(2026, 1, 10))
    rows = {m.month: (m.assigned, m.overdue) for m in
            compliance_for_agency(agency=tree["so"], year=2025, now=vn(2026, 1, 10)).months}
    assert rows[3] == (1, 0)  # only the leaver
    assert rows[4] == (2, 0)  # the joiner from April
    assert rows[7] == (2, 2)  # both open after the 30 June deadline
    assert rows[8] == (2, 2)
    assert rows[9] == (1, 1)  # the leaver is gone at the end of September


def test_running_year_reports_months_so_far(counted):
    rollups_rebuild(now=vn(2025, 4, 15, 10, 0))
    months = compliance_for_agency(agency=counted["so"], year=2025, now=vn(2025, 4, 15, 10, 0)).months
    assert [m.month for m in months] == [1, 2, 3, 4]
    # Without employment history people sit where they are counted now; user 6 (left
    # in May) is still there in April; completions so far: users 7, 9 (by April: 7, 11).
    assert months[3].assigned == 10
    assert months[3].completed == 2


def test_recompute_is_idempotent(counted):
    rollups_rebuild(now=NOW)

    def snapshot():
        return sorted(AssignmentRollup.objects.values_list(
            "plan_id", "agency_id", "position_id", "category", "due_before", "assigned", "on_time", "late",
            "in_progress", "not_started", "exempt")), sorted(MonthRollup.objects.values_list(
                "plan_id", "agency_id", "month", "assigned", "on_time", "late", "overdue"))

    first = snapshot()
    rollups_recompute(year=2025, now=NOW)
    rollups_recompute(year=2025, agency_ids=[counted["a"].pk, counted["b"].pk], now=NOW)
    assert snapshot() == first


def test_dashboard_selector_query_count_does_not_grow(counted, django_assert_num_queries):
    rollups_rebuild(now=NOW)
    with django_assert_num_queries(7):
        compliance_for_agency(agency=counted["so"], year=2025, now=NOW)
    # Ten more units with people in each: same number of queries.
    for i in range(10):
        unit = make_agency(f"Xã {i}", parent=counted["b"], code=f"CMP-X{i}")
        for _j in range(3):
            assignment_row(counted["plan"], UserFactory(), unit, status="in_progress")
    rollups_rebuild(now=NOW)
    with django_assert_num_queries(7):
        report = compliance_for_agency(agency=counted["so"], year=2025, now=NOW)
    assert report.totals.assigned == 9 + 30
