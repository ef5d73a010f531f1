"""The demo-data command: idempotent, one working login per role, refused in production
(that last case is in tests/lms/test_settings.py)."""

import io

import pytest
from django.core.management import call_command

from lms.accounts.demo import DEMO_PASSWORD, DEMO_PEOPLE
from lms.accounts.models import Role, RoleAssignment, User
from lms.accounts.selectors import agencies_visible_to, units_visible_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_output():
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)  # loads the units first when missing
    return out.getvalue()


def _counts():
    from wagtail.models import Page

    return (User.objects.count(), RoleAssignment.objects.count(), Page.objects.count())


def test_demo_prints_one_login_per_role_and_is_idempotent(demo_output):
    assert DEMO_PASSWORD in demo_output
    for role in Role:
        assert str(role.label) in demo_output
    before = _counts()
    again = io.StringIO()
    call_command("load_demo_data", stdout=again)
    assert _counts() == before
    assert "'created': 0" in again.getvalue()


def test_every_role_has_a_demo_user_with_the_right_scope(demo_output):
    for role, username, _name, _phone in DEMO_PEOPLE:
        user = User.objects.get(username=f"demo-{username}")
        assert RoleAssignment.objects.filter(user=user, role=role).count() == 1
    commune_officer = User.objects.get(username="demo-canboxa")
    assert {u.level for u in units_visible_to(user=commune_officer)} == {"commune", "village"}
    member = User.objects.get(username="demo-thanhvien")
    assert units_visible_to(user=member).count() == 1
    manager = User.objects.get(username="demo-quanlydaotao")
    servant = User.objects.get(username="demo-congchuc")
    servant_agency = RoleAssignment.objects.get(user=servant).agency
    assert servant_agency in agencies_visible_to(user=manager)


@pytest.mark.parametrize("login", ["hocvien@demo.kynangso.vn", "0900 000 001"])
def test_demo_learner_logs_in_by_email_or_phone(demo_output, client, login):
    response = client.post("/accounts/login/", {"login": login, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/accounts/profile/").status_code == 200
