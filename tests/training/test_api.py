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


def test_plan_assignments_read_is_audited_once_per_request(client, setup, manager):
    """Names, agencies and positions of people: one audit row per request (not per
    person), none for a refusal."""
    from lms.audit.models import AuditAction, AuditEvent

    url = f"/api/v1/training/plans/{setup['plan'].pk}/assignments"
    client.force_login(setup["a"])
    assert client.get(url).status_code == 403
    client.force_login(manager)
    assert client.get(f"/api/v1/training/plans/{setup['other'].pk}/assignments").status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="pd_").exists()
    response = client.get(url, {"status": "not_started"})
    assert response.status_code == 200 and len(response.json()["items"]) == 1
    event = AuditEvent.objects.filter(action__startswith="pd_").get()
    assert (event.action, event.actor_id) == (AuditAction.PERSONAL_DATA_VIEW, manager.pk)
    assert (event.target_type, event.target_id) == (setup["plan"]._meta.label_lower, str(setup["plan"].pk))
    assert event.purpose == "Quản lý bồi dưỡng cán bộ, công chức"
    assert event.detail == {"method": "GET", "page": "1", "status": "not_started", "overdue": False}


def test_plan_assignments_with_a_bearer_token_are_audited_as_the_token_owner(setup, manager):
    from django.test import Client

    from lms.audit.models import AuditEvent
    from lms.core.services import api_token_create

    _token, plaintext = api_token_create(user=manager, name="Báo cáo")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert client.get(f"/api/v1/training/plans/{setup['plan'].pk}/assignments").status_code == 200
    assert AuditEvent.objects.filter(action__startswith="pd_").get().actor_id == manager.pk
