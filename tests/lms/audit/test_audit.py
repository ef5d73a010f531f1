"""The audit log: sign-ins, sign-outs, role changes, two-factor changes and access to
personal data are written with the right actor and target; the page and its exports
are for administrators only; rows cannot be changed or removed."""

import csv
import io

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from lms import audit
from lms.accounts.models import Role
from lms.accounts.services import role_assign, role_end
from lms.audit.models import AuditAction, AuditEvent
from tests.factories import UserFactory, make_agency, make_commune, make_province, make_village

pytestmark = pytest.mark.django_db

PASSWORD = "Mật-khẩu-dài-2026"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def person(email="hoa@example.test", **kwargs):
    from allauth.account.models import EmailAddress

    user = UserFactory(email=email, phone=None, **kwargs)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def admin_user():
    user = person("quantri@example.test")
    role_assign(user=user, role=Role.PLATFORM_ADMIN)
    return user


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- Sign-in, sign-out -----------------------------------------------------------------


def test_sign_in_failure_and_sign_out_are_recorded(client):
    user = person()
    client.post(
        reverse("account_login"),
        {"login": user.email, "password": "sai-mật-khẩu"},
        REMOTE_ADDR="198.51.100.4",
    )
    [failed] = events(AuditAction.LOGIN_FAILED)
    assert (failed.actor_id, failed.target_type, failed.target_id) == (None, "accounts.user", str(user.pk))
    assert failed.ip == "198.51.100.4"
    assert "sai" not in str(failed.detail)  # what was typed is not kept

    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    [login] = events(AuditAction.LOGIN)
    assert (login.actor_id, login.target_id) == (user.pk, str(user.pk))

    client.post(reverse("account_logout"))
    [logout] = events(AuditAction.LOGOUT)
    assert logout.actor_id == user.pk


def test_a_lockout_is_recorded(client):
    user = person()
    for _ in range(6):
        client.post(reverse("account_login"), {"login": user.email, "password": "sai-mật-khẩu"})
    assert len(events(AuditAction.LOGIN_FAILED)) == 5
    [locked] = events(AuditAction.LOGIN_LOCKED)
    assert locked.target_id == str(user.pk)


# --- Roles -----------------------------------------------------------------------------------


def test_role_assignment_end_and_deletion_are_recorded(admin_user):
    member = UserFactory()
    village = make_village(make_commune(make_province()))
    assignment = role_assign(user=member, role=Role.TEAM_MEMBER, unit=village, granted_by=admin_user)
    created = events(AuditAction.ROLE_ASSIGNED)[-1]  # the first is the fixture's own role
    assert created.actor_id == admin_user.pk
    assert (created.target_type, created.target_id) == ("accounts.roleassignment", str(assignment.pk))
    assert created.detail["user_id"] == member.pk and created.detail["role"] == "team_member"

    role_end(assignment=assignment)
    [ended] = events(AuditAction.ROLE_ENDED)
    assert ended.target_id == str(assignment.pk) and ended.detail["valid_to"]

    assignment_id = assignment.pk
    assignment.delete()
    [deleted] = events(AuditAction.ROLE_DELETED)
    assert deleted.target_id == str(assignment_id)


# --- Two-factor ------------------------------------------------------------------------------


def test_turning_on_two_factor_is_recorded(client, django_capture_on_commit_callbacks):
    import re

    from lms.accounts.totp import totp_code

    user = person()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    secret = re.search(r'id="authenticator_secret" type="text" value="([A-Z2-7]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    added = events(AuditAction.MFA_ADDED)
    assert added and added[0].actor_id == user.pk and added[0].detail["type"] == "totp"


# --- Personal data -------------------------------------------------------------------------


@pytest.fixture
def register():
    from tests.community_teams.conftest import make_household

    province = make_province()
    commune = make_commune(province)
    village, other_village = make_village(commune, "Thôn A"), make_village(commune, "Thôn B")
    member = UserFactory(username="member")
    role_assign(user=member, role=Role.TEAM_MEMBER, unit=village)
    stranger = UserFactory(username="stranger")
    role_assign(user=stranger, role=Role.TEAM_MEMBER, unit=other_village)
    officer = UserFactory(username="officer")
    role_assign(user=officer, role=Role.COMMUNE_OFFICER, unit=commune)
    household, _people = make_household(by=member, village=village)
    return {
        "member": member,
        "stranger": stranger,
        "officer": officer,
        "household": household,
        "commune": commune,
    }


def test_opening_a_household_is_recorded_with_who_what_and_why(client, register):
    client.force_login(register["member"])
    url = reverse("community_teams:household_detail", args=[register["household"].pk])
    assert client.get(url).status_code == 200
    [event] = events(AuditAction.PERSONAL_DATA_VIEW)
    assert event.actor_id == register["member"].pk
    household_id = str(register["household"].pk)
    assert (event.target_type, event.target_id) == ("community_teams.household", household_id)
    assert event.purpose == "Hỗ trợ hộ gia đình trong thôn của tổ"
    assert event.path == url


def test_a_refused_access_records_nothing(client, register):
    client.force_login(register["stranger"])
    url = reverse("community_teams:household_detail", args=[register["household"].pk])
    assert client.get(url).status_code == 404
    assert not events(AuditAction.PERSONAL_DATA_VIEW)


def test_an_officer_reading_the_commune_register_is_recorded(client, register):
    client.force_login(register["officer"])
    response = client.get(reverse("community_teams:commune_register", args=[register["commune"].pk]))
    assert response.status_code == 200
    [event] = events(AuditAction.PERSONAL_DATA_VIEW)
    assert (event.actor_id, event.target_type, event.target_id) == (
        register["officer"].pk,
        "places.administrativeunit",
        str(register["commune"].pk),
    )


def test_a_manager_opening_a_person_is_recorded(client):
    from courses.training.services import employment_start

    agency = make_agency()
    manager = UserFactory(username="manager")
    role_assign(user=manager, role=Role.TRAINING_MANAGER, agency=agency)
    servant = UserFactory(username="servant")
    employment_start(user=servant, agency=agency, category="cong_chuc")
    client.force_login(manager)
    assert client.get(reverse("training:person", args=[servant.pk])).status_code == 200
    [event] = events(AuditAction.PERSONAL_DATA_VIEW)
    assert (event.actor_id, event.target_type) == (manager.pk, "accounts.user")
    assert event.target_id == str(servant.pk)


def test_the_api_records_only_what_is_called():
    """A direct call of record() (for code paths without a view)."""
    actor = UserFactory()
    target = UserFactory()
    event = audit.record(actor=actor, action=audit.PERSONAL_DATA_EXPORT, target=target, purpose="Kiểm tra")
    assert (event.actor_id, event.target_type, event.target_id, event.purpose) == (
        actor.pk,
        "accounts.user",
        str(target.pk),
        "Kiểm tra",
    )
    with pytest.raises(ValueError):
        audit.record(actor=actor, action="made-up", target=target)


# --- Append-only -----------------------------------------------------------------------------


def test_rows_cannot_be_changed_or_removed_through_the_orm():
    event = audit.record(action=AuditAction.LOGIN, purpose="x")
    event.purpose = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(purpose="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.bulk_update([event], ["purpose"])
    assert AuditEvent.objects.get(pk=event.pk).purpose == "x"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_update_and_delete():
    event = audit.record(action=AuditAction.LOGIN, purpose="x")
    for sql in (
        "UPDATE audit_auditevent SET purpose = 'y' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).purpose == "x"


# --- The page and its exports ---------------------------------------------------------------


def test_only_administrators_see_the_log(client, admin_user):
    url = reverse("audit:list")
    assert client.get(url)["Location"].startswith(reverse("account_login"))
    for who in (UserFactory(), UserFactory(is_staff=True)):
        client.force_login(who)
        assert client.get(url).status_code == 403
        assert client.get(reverse("audit:export", args=["csv"])).status_code == 403
        assert client.get(reverse("audit:export", args=["xlsx"])).status_code == 403
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Nhật ký truy cập", "Hành động", "Người thực hiện", "Từ ngày", "Tải về CSV"):
        assert label in html
    root = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.get(url).status_code == 200


def test_filters_and_pages(client, admin_user):
    someone = UserFactory(email="ai@example.test")
    for _ in range(55):
        audit.record(actor=someone, action=AuditAction.PERSONAL_DATA_VIEW, target=someone, purpose="Xem")
    audit.record(actor=admin_user, action=AuditAction.ROLE_ASSIGNED, purpose="")
    client.force_login(admin_user)
    url = reverse("audit:list")
    page = client.get(url, {"action": "pd_view", "actor": "ai@example.test"}).content.decode()
    assert "55 sự kiện" in page and "Trang 1 / 2" in page
    assert "action=pd_view" in page  # the next page keeps the filters
    assert client.get(url, {"action": "role_assigned"}).content.decode().count("Giao vai trò") >= 1
    assert "0 sự kiện" in client.get(url, {"actor": "nobody@example.test"}).content.decode()
    assert client.get(url, {"date_from": "not a date"}).status_code == 400


def test_exports_guard_against_formulas_and_are_recorded(client, admin_user):
    evil = UserFactory(full_name='=HYPERLINK("http://x.test","bấm")')
    audit.record(actor=evil, action=AuditAction.PERSONAL_DATA_VIEW, target=evil, purpose="@SUM(1)")
    client.force_login(admin_user)

    response = client.get(reverse("audit:export", args=["csv"]), {"action": "pd_view"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Thời điểm"
    [row] = rows[1:]
    assert row[2].startswith("'=HYPERLINK") and row[6] == "'@SUM(1)"

    response = client.get(reverse("audit:export", args=["xlsx"]), {"action": "pd_view"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for c in list(sheet.iter_rows())[1]]
    assert values[2].startswith("'=HYPERLINK") and values[6] == "'@SUM(1)"
    assert all(not (isinstance(v, str) and v.startswith(("=", "@", "+", "-"))) for v in values)

    exports = events(AuditAction.AUDIT_EXPORT)
    assert len(exports) == 2 and all(e.actor_id == admin_user.pk for e in exports)
    assert client.get(reverse("audit:export", args=["pdf"])).status_code == 404


def test_pages_in_english_keep_the_stored_purpose(client, admin_user, settings):
    audit.record(action=AuditAction.PERSONAL_DATA_VIEW, purpose="Hỗ trợ hộ gia đình trong thôn của tổ")
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("audit:list")).content.decode()
    assert "Hỗ trợ hộ gia đình trong thôn của tổ" in html


def test_an_anonymous_client_cannot_reach_exports():
    response = Client().get(reverse("audit:export", args=["csv"]))
    assert response.status_code == 302


def test_admin_pages_showing_people_are_audited_and_others_are_not():
    """Wagtail's user admin and the Django admin's learner records are not our views:
    the middleware writes one row per page they serve; other admin pages write none."""
    from django.conf import settings

    admin = UserFactory(username="audit-superuser", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    assert "/admin/users/" in settings.AUDIT_ADMIN_PERSONAL_DATA_PATHS
    before = AuditEvent.objects.count()
    assert client.get("/admin/").status_code == 200  # the dashboard shows nobody's data
    assert AuditEvent.objects.count() == before
    assert client.get("/admin/users/").status_code == 200
    event = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.actor_id, event.action, event.path) == (
        admin.pk,
        AuditAction.PERSONAL_DATA_VIEW,
        "/admin/users/",
    )
    assert event.purpose and event.detail == {"via": "admin"}
    assert client.get("/django-admin/quizzes/attempt/").status_code == 200
    assert AuditEvent.objects.filter(path="/django-admin/quizzes/attempt/").count() == 1
    # Not signed in: the admin answers with its login page, and nothing is written.
    count = AuditEvent.objects.count()
    assert Client().get("/admin/users/").status_code == 302
    assert AuditEvent.objects.count() == count
