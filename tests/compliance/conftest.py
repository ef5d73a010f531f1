"""Fixtures for the compliance view: a small agency tree and hand-counted assignment rows.

Assignment rows are written directly (like a bulk load) so each fixture states exactly
the status, completion instant and deadline it counts; the tests that exercise the
incremental refresh go through the training services instead."""

import datetime

import pytest
from django.core.cache import cache

from courses.training.models import (
    VN_TZ,
    Employment,
    PlanAssignment,
    Position,
    TrainingPlan,
    deadline_instant,
)
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from tests.factories import UserFactory, make_agency


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def vn(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=VN_TZ)


def plan_row(*, agency, year=2025, deadline=datetime.date(2025, 6, 30), name="Kế hoạch bồi dưỡng 2025"):
    return TrainingPlan.objects.create(name=name, year=year, agency=agency, deadline=deadline)


def assignment_row(plan, user, agency, *, status="not_started", completed_at=None, extended_to=None,
                   left_on=None, position=None, category="cong_chuc", assigned_on=None):
    due_on = extended_to or plan.deadline
    return PlanAssignment.objects.create(
        plan=plan, user=user, agency=agency, position=position, category=category,
        assigned_on=assigned_on or datetime.date(plan.year, 1, 1), due_on=due_on,
        due_before=deadline_instant(due_on), status=status, completed_at=completed_at,
        extended_to=extended_to, left_on=left_on, items_required=1,
        items_done=1 if status == "completed" else 0,
        exempt_reason="Nghỉ thai sản" if status == "exempt" else "",
        extension_reason="Ốm dài ngày" if extended_to else "",
    )


def employment_row(user, agency, start, end=None, *, position=None, category="cong_chuc"):
    return Employment.objects.create(user=user, agency=agency, position=position, category=category,
                                     valid_from=start, valid_to=end)


def manager_of(agency, **kw):
    user = UserFactory(**kw)
    role_assign(user=user, role=Role.TRAINING_MANAGER, agency=agency, valid_from=datetime.date(2020, 1, 1))
    return user


@pytest.fixture
def tree(db):
    """Sở → Phòng A (→ Tổ A1), Phòng B; and an unrelated Sở Khác."""
    so = make_agency("Sở Nội vụ Tỉnh Thử", code="CMP-SO")
    a = make_agency("Phòng A", parent=so, code="CMP-A")
    a1 = make_agency("Tổ A1", parent=a, code="CMP-A1")
    b = make_agency("Phòng B", parent=so, code="CMP-B")
    other = make_agency("Sở Khác", code="CMP-KHAC")
    return {"so": so, "a": a, "a1": a1, "b": b, "other": other}


NOW = vn(2025, 12, 15, 12, 0)


@pytest.fixture
def counted(tree):
    """Hand-counted year 2025, deadline 30/06/2025, report time 15/12/2025 12:00.

    Sở: assigned 9 · on time 4 · late 1 · in progress 2 · not started 2 · overdue 2 · exempt 1
      Phòng A (with Tổ A1): 7 · 3 · 1 · 1 · 2 · 2 · 1
      Phòng B: 1 · 0 · 0 · 1 · 0 · 0 · 0
      directly in the Sở: 1 · 1 · 0 · 0 · 0 · 0 · 0
    """
    so, a, a1, b = tree["so"], tree["a"], tree["a1"], tree["b"]
    cv = Position.objects.create(agency=so, code="chuyen-vien", name="Chuyên viên")
    tp = Position.objects.create(agency=so, code="truong-phong", name="Trưởng phòng")
    plan = plan_row(agency=so)
    u = {i: UserFactory(username=f"cmp{i}", full_name=f"Người Thử {i:02d}") for i in range(1, 13)}
    rows = {
        # On the deadline day at 23:59:59: on time. At 00:00 the next day: late.
        1: assignment_row(plan, u[1], a, status="completed", completed_at=vn(2025, 6, 30, 23, 59, 59),
                          position=cv),
        2: assignment_row(plan, u[2], a, status="completed", completed_at=vn(2025, 7, 1, 0, 0, 0),
                          position=cv),
        3: assignment_row(plan, u[3], a, status="in_progress", position=cv),  # overdue
        4: assignment_row(plan, u[4], a, status="not_started", extended_to=datetime.date(2026, 1, 31),
                          position=cv),  # extended: not overdue yet
        5: assignment_row(plan, u[5], a, status="exempt", position=cv),
        6: assignment_row(plan, u[6], a, status="not_started", left_on=datetime.date(2025, 5, 1),
                          position=cv),  # left the plan's scope: not counted
        7: assignment_row(plan, u[7], a, status="completed", completed_at=vn(2025, 3, 1, 9, 0),
                          left_on=datetime.date(2025, 8, 1), position=cv),  # completed, then left: counted
        8: assignment_row(plan, u[8], a1, status="not_started", position=cv),  # overdue
        9: assignment_row(plan, u[9], a1, status="completed", completed_at=vn(2025, 5, 10, 8, 0), position=tp,
                          category="vien_chuc"),
        10: assignment_row(plan, u[10], b, status="in_progress", extended_to=datetime.date(2025, 12, 31),
                           position=cv),
        11: assignment_row(plan, u[11], so, status="completed", completed_at=vn(2025, 2, 1, 10, 0),
                           position=tp),
    }
    other_plan = plan_row(agency=tree["other"], name="Kế hoạch Sở Khác")
    rows[12] = assignment_row(other_plan, u[12], tree["other"], status="not_started")
    return {"plan": plan, "other_plan": other_plan, "users": u, "rows": rows, "cv": cv, "tp": tp, **tree}
