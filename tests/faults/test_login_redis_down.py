"""Signing in with Redis stopped: allauth's rate limits, our lockout and the two-factor
code's replay guard all keep their counters in the cache. With the cache unreachable
the login must still answer (no 500, no blanket "too many attempts"), and the limits
must still hold, counted in each process's memory (lms.core.cache.RedisCache).

Django's cache points at the throwaway Redis, which the test really stops."""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse

from lms.accounts.models import Role
from lms.accounts.services import role_assign
from lms.accounts.totp import totp_code
from lms.core import cache as lms_cache
from tests.factories import UserFactory, make_commune, make_province

from .services import port_open

pytestmark = pytest.mark.django_db

PASSWORD = "Mật-khẩu-dài-2026"
WRONG = "không-phải-mật-khẩu"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
LOCKED = "đăng nhập từ thiết bị này tạm khoá trong 15 phút"


@pytest.fixture
def redis_stopped(services_at):
    lms_cache.local_reset()
    services_at.stop()
    assert not port_open(services_at.port)
    yield services_at
    lms_cache.local_reset()


def person(email, phone=None):
    user = UserFactory(email=email, phone=phone, phone_verified=bool(phone))
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def login(client, login_text, password, ip="198.51.100.7"):
    return client.post(reverse("account_login"), {"login": login_text, "password": password}, REMOTE_ADDR=ip)


def logged_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_login_answers_and_the_lockout_still_holds(redis_stopped):
    learner = person("lan@example.test", phone="+84912345670")
    client = Client()
    started = time.monotonic()
    response = login(client, "0912 345 670", PASSWORD)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert logged_in_as(client) == str(learner.pk)
    assert time.monotonic() - started < 5  # no waiting on a cache lock that never comes

    # Wrong passwords: the form's error, then the lockout, from this process's memory.
    other = Client()
    for _ in range(5):
        response = login(other, "lan@example.test", WRONG)
        assert response.status_code == 200
        assert LOCKED not in response.content.decode()
    response = login(other, "lan@example.test", PASSWORD)
    assert response.status_code == 200 and LOCKED in response.content.decode()
    assert logged_in_as(other) is None
    # Another address is not locked.
    response = login(Client(), "lan@example.test", PASSWORD, ip="198.51.100.8")
    assert response.status_code == 302


def test_sign_up_and_password_reset_answer(redis_stopped):
    person("hoa@example.test")
    response = Client().post(reverse("account_reset_password"), {"email": "hoa@example.test"})
    assert response.status_code == 302, response.content.decode()[:2000]
    response = Client().post(
        reverse("account_signup"),
        {"full_name": "Trần Văn Bình", "phone": "", "email": "binh@example.test",
         "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("account_email_verification_sent")


def test_officer_two_factor_login_with_redis_stopped(redis_stopped, settings):
    """allauth marks a used code with cache.add (a replay guard); with the cache down
    that answered "already used" to every code, so no officer could sign in."""
    settings.LMS_MFA_REQUIRED = True
    officer = person("xa@example.test")
    role_assign(user=officer, role=Role.COMMUNE_OFFICER, unit=make_commune(make_province()))
    TOTP.activate(officer, SECRET)
    client = Client()
    response = login(client, "xa@example.test", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    code = totp_code(SECRET)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert logged_in_as(client) == str(officer.pk)
    # The same code cannot be used twice (replay), even with Redis down.
    again = Client()
    login(again, "xa@example.test", PASSWORD)
    response = again.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200 and logged_in_as(again) is None
