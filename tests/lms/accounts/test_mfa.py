"""Two-factor authentication: required for officers, managers, editors and
administrators (enrolment first, then a code at every login), never asked of learners.
Codes are computed from the secret here, as an authenticator app would."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from lms.accounts.models import Role
from lms.accounts.services import role_assign
from lms.accounts.totp import totp_code
from tests.factories import UserFactory, make_commune, make_province

pytestmark = pytest.mark.django_db

PASSWORD = "Mật-khẩu-dài-2026"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.LMS_MFA_REQUIRED = True
    cache.clear()
    yield
    cache.clear()


def person(email, *, role=None, scope=None, **flags):
    user = UserFactory(email=email, phone=None, **flags)
    user.set_password(PASSWORD)
    user.save()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role:
        role_assign(user=user, role=role, **(scope or {}))
    return user


@pytest.fixture
def officer():
    return person("xa@example.test", role=Role.COMMUNE_OFFICER, scope={"unit": make_commune(make_province())})


def login(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def activation_page(client):
    """allauth asks for the password again before adding a factor (a reauthentication
    counts for 5 minutes), even right after login."""
    page = client.get(reverse("mfa_activate_totp"))
    if page.status_code == 302 and page["Location"].startswith(reverse("account_reauthenticate")):
        client.post(page["Location"], {"password": PASSWORD})
        page = client.get(reverse("mfa_activate_totp"))
    return page


def user_id(client):
    return client.session.get("_auth_user_id")


# --- Who must use it ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.NATIONAL_OFFICER, Role.TRAINING_MANAGER,
     Role.CONTENT_EDITOR, Role.PLATFORM_ADMIN],
)
def test_each_staff_role_without_an_app_is_sent_to_set_it_up(client, role):
    from lms.accounts.models import UNIT_ROLE_LEVELS
    from tests.factories import make_agency, make_village

    scope = {}
    level = UNIT_ROLE_LEVELS.get(role, "none")
    province = make_province()
    if level == "commune":
        scope = {"unit": make_commune(province)}
    elif level == "province":
        scope = {"unit": province}
    elif level == "village":
        scope = {"unit": make_village(make_commune(province))}
    elif role == Role.TRAINING_MANAGER:
        scope = {"agency": make_agency()}
    user = person(f"{role}@example.test", role=role, scope=scope)
    assert login(client, user.email).status_code == 302
    for url in ("/", reverse("accounts:profile"), "/hoc-tap/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp"), url
    page = activation_page(client)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bật xác thực hai lớp" in html and "Vai trò của bạn bắt buộc xác thực hai lớp" in html
    assert "Activate" not in html
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["code"] == "mfa_required"


def test_staff_flag_alone_requires_it(client):
    person("staff@example.test", is_staff=True)
    login(client, "staff@example.test")
    assert client.get("/")["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", [None, Role.LEARNER, Role.CIVIL_SERVANT, Role.TEAM_MEMBER])
def test_learners_and_team_members_are_never_asked(client, role):
    from tests.factories import make_agency, make_village

    scope = {}
    if role == Role.CIVIL_SERVANT:
        scope = {"agency": make_agency()}
    elif role == Role.TEAM_MEMBER:
        scope = {"unit": make_village(make_commune(make_province()))}
    user = person("hoc@example.test", role=role, scope=scope)
    response = login(client, user.email)
    assert response.status_code == 302
    assert "2fa" not in response["Location"]
    assert user_id(client) == str(user.pk)
    assert client.get(reverse("accounts:profile")).status_code == 200


# --- Enrolment ------------------------------------------------------------------------


def test_officer_sets_up_the_app_then_reaches_the_site(client, officer):
    login(client, officer.email)
    page = activation_page(client)
    html = page.content.decode()
    secret = re.search(r'id="authenticator_secret" type="text" value="([A-Z2-7]+)"', html).group(1)
    bad_code = "000000" if totp_code(secret) != "000000" else "111111"
    wrong = client.post(reverse("mfa_activate_totp"), {"code": bad_code})
    assert wrong.status_code == 200
    assert "Mã xác thực không đúng." in wrong.content.decode()
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()
    # Recovery codes are made with it; the person is shown them next.
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_an_officer_cannot_switch_it_off(client, officer):
    TOTP.activate(officer, SECRET)
    login(client, officer.email)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(SECRET)})
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()


# --- Login with a code ---------------------------------------------------------------


def test_login_asks_for_the_code_and_refuses_a_wrong_one(client, officer):
    TOTP.activate(officer, SECRET)
    response = login(client, officer.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert user_id(client) is None  # not logged in before the code
    page = client.get(reverse("mfa_authenticate"))
    assert "Xác thực hai lớp" in page.content.decode()
    wrong = "000000" if totp_code(SECRET) != "000000" else "111111"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert "Mã xác thực không đúng." in response.content.decode()
    assert user_id(client) is None
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(SECRET)})
    assert response.status_code == 302
    assert user_id(client) == str(officer.pk)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_wrong_codes_are_limited(client, officer):
    TOTP.activate(officer, SECRET)
    login(client, officer.email)
    wrong = "000000" if totp_code(SECRET) != "000000" else "111111"
    texts = [client.post(reverse("mfa_authenticate"), {"code": wrong}).content.decode() for _ in range(6)]
    assert "quá nhiều lần" in texts[-1]
    # Even the right code is refused once the limit is reached.
    client.post(reverse("mfa_authenticate"), {"code": totp_code(SECRET)})
    assert user_id(client) is None


def test_a_session_that_skipped_the_code_is_ended(client, officer):
    """Defence in depth: any way in that skips allauth's code stage (here force_login)
    leads back to the login page."""
    TOTP.activate(officer, SECRET)
    client.force_login(officer)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert user_id(client) is None


@pytest.mark.parametrize("url", ["/django-admin/login/", "/admin/login/"])
def test_admin_login_pages_send_people_to_ours(client, url):
    person("root@example.test", is_staff=True, is_superuser=True)
    response = client.get(url + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"
    # Their own form is not reachable by POST either.
    response = client.post(url, {"username": "root", "password": PASSWORD})
    assert user_id(client) is None


def test_requirement_off_only_when_settings_say_so(client, officer, settings):
    settings.LMS_MFA_REQUIRED = False
    login(client, officer.email)
    assert client.get(reverse("accounts:profile")).status_code == 200


# --- Demo accounts ------------------------------------------------------------------------


def test_demo_officers_log_in_with_their_printed_secret():
    import io

    from django.core.management import call_command

    from lms.accounts.demo import DEMO_PASSWORD, demo_totp_secret

    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    text = out.getvalue()
    secret = demo_totp_secret("canboxa")
    assert secret in text
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": "canboxa@demo.kynangso.vn", "password": DEMO_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    codes = io.StringIO()
    call_command("demo_totp_codes", stdout=codes)
    code = re.search(r"canboxa@demo.kynangso.vn\s+(\d{6})", codes.getvalue()).group(1)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    # The demo learner has no second factor.
    learner = Client()
    learner.post(reverse("account_login"), {"login": "hocvien@demo.kynangso.vn", "password": DEMO_PASSWORD})
    assert learner.get(reverse("accounts:profile")).status_code == 200
