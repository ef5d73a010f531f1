"""Rate limits and lockout, driven through the real views: login, sign-up, SMS codes,
password reset, API tokens, device pairing and bearer tokens. Time is moved forward by
patching the clock the counters read, never by sleeping."""

import json
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from lms.accounts import sms
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from tests.factories import UserFactory, make_commune, make_province, make_village

pytestmark = pytest.mark.django_db

PASSWORD = "Mật-khẩu-dài-2026"
WRONG = "không-phải-mật-khẩu"
LOCKED = "đăng nhập từ thiết bị này tạm khoá trong 15 phút"


# The clock the counters read (allauth's and ours: time.time), held still at the start
# of an hour so that no counting window ends in the middle of a test; `later` moves it.
START = (time.time() // 86400 + 1) * 86400 + 5


@pytest.fixture(autouse=True)
def _clean_state():
    cache.clear()
    sms.outbox.clear()
    with mock.patch("time.time", return_value=START):
        yield
    sms.outbox.clear()
    cache.clear()


def later(seconds: float):
    """The clock `seconds` after the start of the test."""
    return mock.patch("time.time", return_value=START + seconds)


def make_user(phone="+84912345678", email="hoa@example.test"):
    user = UserFactory(email=email, phone=phone, phone_verified=True)
    user.set_password(PASSWORD)
    user.save()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def login(client, login_text, password, ip="198.51.100.7"):
    return client.post(
        reverse("account_login"), {"login": login_text, "password": password}, REMOTE_ADDR=ip
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Lockout after failed logins ---------------------------------------------------------


@pytest.mark.parametrize("login_text", ["0912 345 678", "hoa@example.test"])
def test_five_wrong_passwords_lock_the_account_from_that_address_for_15_minutes(client, login_text):
    make_user()
    for _ in range(5):
        response = login(client, login_text, WRONG)
        assert response.status_code == 200
        assert LOCKED not in response.content.decode()
    # The sixth try is refused before the password is even checked: the right one too.
    response = login(client, login_text, PASSWORD)
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert not logged_in(client)
    # 15 minutes later the lock is gone.
    with later(15 * 60 + 1):
        response = login(client, login_text, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_a_stranger_cannot_lock_the_owner_out(client):
    """The lock is per account AND address: guesses from one address leave the owner,
    elsewhere, free to log in."""
    make_user()
    attacker = Client()
    for _ in range(6):
        login(attacker, "0912345678", WRONG, ip="203.0.113.66")
    assert LOCKED in login(attacker, "0912345678", PASSWORD, ip="203.0.113.66").content.decode()
    response = login(client, "0912345678", PASSWORD, ip="198.51.100.7")
    assert response.status_code == 302
    assert logged_in(client)


def test_failures_on_one_phone_number_do_not_lock_another(client):
    """allauth would count every phone login under one empty key."""
    make_user()
    make_user(phone="+84987654321", email="lan@example.test")
    for _ in range(6):
        login(client, "0912345678", WRONG)
    assert login(Client(), "0987654321", PASSWORD).status_code == 302


def test_one_address_is_slowed_down_across_accounts(client):
    """Ten failures a minute per address, whatever accounts they name."""
    for n in range(10):
        make_user(phone=f"+8491234560{n}", email=f"u{n}@example.test")
    for n in range(10):
        assert LOCKED not in login(client, f"091234560{n}", WRONG).content.decode()
    response = login(client, "0912345600", PASSWORD)
    assert LOCKED in response.content.decode() and not logged_in(client)
    with later(61):
        assert login(client, "0912345600", PASSWORD).status_code == 302


def test_login_attempts_per_address_answer_429(client):
    """Thirty login posts a minute per address, right or wrong."""
    make_user()
    statuses = [login(client, "0999999999", WRONG, ip="192.0.2.1").status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    assert "Quá nhiều yêu cầu" in login(client, "0999999999", WRONG, ip="192.0.2.1").content.decode()
    with later(61):
        assert login(client, "0999999999", WRONG, ip="192.0.2.1").status_code == 200


# --- Sign-up ------------------------------------------------------------------------------


def test_signup_is_limited_per_address(client):
    def signup(n):
        return client.post(
            reverse("account_signup"),
            {"full_name": "", "phone": "", "email": f"moi{n}@example.test",
             "password1": PASSWORD, "password2": PASSWORD},
            REMOTE_ADDR="192.0.2.9",
        )

    statuses = [signup(n).status_code for n in range(21)]
    assert statuses[:20].count(429) == 0
    assert statuses[20] == 429
    with later(61):
        assert signup(99).status_code != 429


# --- Password reset ----------------------------------------------------------------------


def test_password_reset_by_email_is_limited_per_address_and_address_typed(client):
    make_user()
    statuses = [
        client.post(reverse("account_reset_password"), {"email": "hoa@example.test"}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429


def test_phone_reset_codes_are_limited_per_number_then_reset(client):
    make_user()
    url = reverse("accounts:phone_password_reset")
    statuses = [client.post(url, {"phone": "0912345678"}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert len(sms.outbox) == 3
    assert "Bạn gửi yêu cầu quá nhanh" in client.post(url, {"phone": "0912345678"}).content.decode()
    with later(15 * 60 + 1):
        assert client.post(url, {"phone": "0912345678"}).status_code == 302
    assert len(sms.outbox) == 4


def test_typing_reset_codes_is_limited_per_account(client):
    """Five wrong codes end a code; asking for new ones does not give endless tries."""
    make_user()
    request_url = reverse("accounts:phone_password_reset")
    confirm_url = reverse("accounts:phone_password_reset_confirm")
    statuses = []
    for round_ in range(3):
        with later(round_ * 16 * 60):  # past the per-number sending limit each round, same hour
            client.post(request_url, {"phone": "0912345678"})
            for _ in range(5):
                statuses.append(
                    client.post(confirm_url, {"code": "000000", "password1": PASSWORD,
                                              "password2": PASSWORD}).status_code
                )
    # Ten wrong codes an hour per account: the eleventh try is a 429.
    assert 429 in statuses
    assert statuses.index(429) == 10


# --- Our API: tokens, devices, bearer tokens ------------------------------------------


def _api_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/api/v1/csrf")
    return client, client.cookies["csrftoken"].value


def test_api_tokens_are_limited_per_person(settings):
    settings.LMS_RATE_LIMITS = {**settings.LMS_RATE_LIMITS, "api_token_create": "2/h/user"}
    client, csrf = _api_client(UserFactory())

    def create():
        return client.post("/api/v1/tokens", data={"name": "x"}, content_type="application/json",
                           HTTP_X_CSRFTOKEN=csrf)

    assert [create().status_code for _ in range(2)] == [201, 201]
    response = create()
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    with later(3601):
        assert create().status_code == 201


def test_device_pairing_is_limited_per_person(settings):
    settings.LMS_RATE_LIMITS = {**settings.LMS_RATE_LIMITS, "device_pair": "2/h/user"}
    village = make_village(make_commune(make_province()))
    member = UserFactory()
    role_assign(user=member, role=Role.TEAM_MEMBER, unit=village)
    client, csrf = _api_client(member)

    def pair():
        return client.post("/api/v1/teams/devices", data=json.dumps({"name": "Máy"}),
                           content_type="application/json", HTTP_X_CSRFTOKEN=csrf)

    assert [pair().status_code for _ in range(2)] == [201, 201]
    assert pair().status_code == 429


@pytest.mark.parametrize("scheme", ["Bearer", "Device"])
def test_guessing_tokens_is_stopped_per_address(settings, scheme):
    settings.LMS_RATE_LIMITS = {**settings.LMS_RATE_LIMITS, "api_token_failed": "3/m/ip"}
    client = Client(HTTP_AUTHORIZATION=f"{scheme} guess", REMOTE_ADDR="203.0.113.5")
    url = "/api/v1/me" if scheme == "Bearer" else "/api/v1/teams/sync-data"
    assert [client.get(url).status_code for _ in range(3)] == [401] * 3
    assert client.get(url).status_code == 429
    # Another address is not affected; the limit resets after a minute.
    assert Client(HTTP_AUTHORIZATION=f"{scheme} guess", REMOTE_ADDR="203.0.113.6").get(url).status_code == 401
    with later(61):
        assert client.get(url).status_code == 401


def test_a_valid_token_still_works_below_the_limit(settings):
    from lms.core.services import api_token_create

    user = UserFactory()
    _token, plaintext = api_token_create(user=user, name="x")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert client.get("/api/v1/me").json()["id"] == user.pk


# --- Client address behind the proxy ---------------------------------------------------


def test_limits_count_the_address_the_proxy_saw(client, settings):
    """With one trusted proxy the client is the last X-Forwarded-For entry; a forged
    first entry does not give a fresh counter."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    make_user()
    for n in range(6):
        client.post(reverse("account_login"), {"login": "0912345678", "password": WRONG},
                    HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 198.51.100.20", REMOTE_ADDR="10.1.1.1")
    response = client.post(reverse("account_login"), {"login": "0912345678", "password": PASSWORD},
                           HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.20", REMOTE_ADDR="10.1.1.1")
    assert LOCKED in response.content.decode()
    other = Client().post(reverse("account_login"), {"login": "0912345678", "password": PASSWORD},
                          HTTP_X_FORWARDED_FOR="198.51.100.21", REMOTE_ADDR="10.1.1.1")
    assert other.status_code == 302
