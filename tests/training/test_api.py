"""API: my assignments; a manager's plan assignments, scoped; JSON errors."""

import datetime

import pytest
from django.utils import timezone

from courses.training.services import plan_create
from tests.training.conftest import course_complete, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(tree, courses, manager, division_manager):
    today = timezone.localdate()
    a = staff(tree["a"], full_name="Người A")
    b = staff(tree["b"], full_name="Người B")
    x = staff(tree["other_div"], full_name="Người Khác")
    plan = plan_create(
        name="KH Sở",
        year=today.year,
        agency=tree["so"],
        deadline=today + datetime.timedelta(days=9),
        courses=[courses["c1"]],
    )
    other = plan_create(
        name="KH Khác",
        year=today.year,
        agency=tree["other"],
        deadline=today + datetime.timedelta(days=9),
        courses=[courses["c1"]],
    )
    course_complete(courses["c1"], a)
    return {"a": a, "b": b, "x": x, "plan": plan, "other": other}


def test_my_assignments(client, setup):
    assert client.get("/api/v1/training/assignments").status_code == 401
    client.force_login(setup["a"])
    data = client.get("/api/v1/training/assignments").json()
    assert [(d["plan_name"], d["status"], d["completed_on_time"]) for d in data] == [
        ("KH Sở", "completed", True)
    ]


def test_plan_assignments_are_scoped(client, setup, manager, division_manager):
    url = f"/api/v1/training/plans/{setup['plan'].pk}/assignments"
    client.force_login(setup["a"])
    response = client.get(url)
    assert response.status_code == 403 and set(response.json()) >= {"detail", "code"}
    client.force_login(manager)
    items = client.get(url).json()["items"]
    assert {i["full_name"] for i in items} == {"Người A", "Người B"}
    assert {i["full_name"] for i in client.get(url, {"status": "not_started"}).json()["items"]} == {"Người B"}
    assert client.get(f"/api/v1/training/plans/{setup['other'].pk}/assignments").status_code == 404
    client.force_login(division_manager)
    assert {i["full_name"] for i in client.get(url).json()["items"]} == {"Người A"}
    assert client.get(url, {"status": "nonsense"}).status_code == 422
