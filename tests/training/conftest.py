"""Fixtures for mandatory training, built through the services production uses."""

import datetime

import pytest
from django.core.cache import cache

from assessments.loading import frameworks_load
from courses import services as course_services
from courses.training.services import employment_start, position_create, position_target_set
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from tests.courses.builders import course_build, index_build, lessons_of
from tests.factories import UserFactory, make_agency


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _own_hooks_only(monkeypatch):
    """Other apps (the compliance dashboard) listen to changed assignments; their tests
    cover that. Here only callbacks a test registers itself run."""
    from courses.training import hooks

    monkeypatch.setattr(hooks, "_callbacks", [])


@pytest.fixture
def tree(db):
    """Sở → two divisions; a second, unrelated Sở."""
    so = make_agency("Sở Nội vụ Tỉnh Thử", code="SO")
    a = make_agency("Phòng A", parent=so, code="SO-A")
    b = make_agency("Phòng B", parent=so, code="SO-B")
    other = make_agency("Sở Khác", code="KHAC")
    other_div = make_agency("Phòng Khác", parent=other, code="KHAC-1")
    return {"so": so, "a": a, "b": b, "other": other, "other_div": other_div}


@pytest.fixture
def frameworks(db):
    frameworks_load()


@pytest.fixture
def positions(tree):
    return {
        "cv": position_create(agency=tree["so"], code="chuyen-vien", name="Chuyên viên"),
        "tp": position_create(agency=tree["so"], code="truong-phong", name="Trưởng phòng"),
    }


@pytest.fixture
def courses(db):
    index = index_build()
    return {
        "c1": course_build(index=index, title="Chuyển đổi số cơ bản", slug="cds", lessons_per_module=2),
        "c2": course_build(index=index, title="An toàn thông tin", slug="attt", lessons_per_module=2),
    }


def course_complete(course, learner):
    """Complete a course the way a learner does: enrol, finish every lesson."""
    course_services.enrolment_create(learner=learner, course=course)
    for lesson in lessons_of(course):
        course_services.lesson_complete(learner=learner, lesson=lesson)


def staff(agency, *, position=None, category="cong_chuc", valid_from=None, **kw):
    user = UserFactory(**kw)
    employment_start(
        user=user,
        agency=agency,
        position=position,
        category=category,
        valid_from=valid_from or datetime.date(2026, 1, 1),
    )
    return user


@pytest.fixture
def manager(tree):
    user = UserFactory(full_name="Quản Lý Sở")
    role_assign(
        user=user, role=Role.TRAINING_MANAGER, agency=tree["so"], valid_from=datetime.date(2020, 1, 1)
    )
    return user


@pytest.fixture
def division_manager(tree):
    user = UserFactory(full_name="Quản Lý Phòng A")
    role_assign(user=user, role=Role.TRAINING_MANAGER, agency=tree["a"], valid_from=datetime.date(2020, 1, 1))
    return user


@pytest.fixture
def target(frameworks, positions):
    return position_target_set(position=positions["cv"], year=2026, levels={"digcomp-2.2:4.2": 3})
