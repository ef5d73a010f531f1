"""Sign-up and login by phone or e-mail, through the real allauth views."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from lms.accounts import sms
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "Mật-khẩu-dài-2026"


@pytest.fixture(autouse=True)
def _clean_state():
    # allauth's rate limits count in the cache; every test starts from zero.
    cache.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()
    cache.clear()


def last_code() -> str:
    assert sms.outbox, "no SMS was sent"
    match = re.search(r"\b(\d{6})\b", sms.outbox[-1].body)
    assert match, sms.outbox[-1].body
    return match.group(1)


def signup_by_phone(client, phone="0912 345 678", full_name="Nguyễn Thị Hoa"):
    return client.post(
        reverse("account_signup"),
        {"full_name": full_name, "phone": phone, "email": "", "password1": PASSWORD, "password2": PASSWORD},
    )


def make_phone_user(phone="+84912345678", verified=True, password=PASSWORD):
    user = UserFactory(email="", phone=phone, phone_verified=verified)
    user.set_password(password)
    user.save()
    return user


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Sign-up by phone ------------------------------------------------------------------


def test_signup_by_phone_sends_code_then_verifies_and_logs_in(client):
    response = signup_by_phone(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_verify_phone")
    assert not is_logged_in(client)

    user = User.objects.get(phone="+84912345678")
    assert user.full_name == "Nguyễn Thị Hoa"
    assert user.phone_verified is False
    assert user.email == ""
    # The internal handle carries no personal data.
    assert re.fullmatch(r"u[0-9a-f]{12}", user.username)

    assert len(sms.outbox) == 1
    assert sms.outbox[0].to == "+84912345678"
    assert "Mã xác minh của bạn là" in sms.outbox[0].body

    page = client.get(reverse("account_verify_phone"))
    assert page.status_code == 200
    assert "Nhập mã xác minh" in page.content.decode()
    assert "0912 345 678" in page.content.decode()

    response = client.post(reverse("account_verify_phone"), {"action": "verify", "code": last_code()})
    assert response.status_code == 302
    assert is_logged_in(client)
    user.refresh_from_db()
    assert user.phone_verified is True
    assert int(client.session["_auth_user_id"]) == user.pk


def test_wrong_code_is_refused_in_vietnamese(client):
    signup_by_phone(client)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("account_verify_phone"), {"action": "verify", "code": wrong})
    assert response.status_code == 200
    assert "Mã xác minh không đúng." in response.content.decode()
    assert not is_logged_in(client)


def test_code_can_be_resent(client):
    signup_by_phone(client)
    cache.clear()  # the resend limit is one per 30 s per number
    client.post(reverse("account_verify_phone"), {"action": "resend"})
    assert len(sms.outbox) == 2
    response = client.post(reverse("account_verify_phone"), {"action": "verify", "code": last_code()})
    assert response.status_code == 302
    assert is_logged_in(client)


def test_logout_is_a_post(client):
    signup_by_phone(client)
    client.post(reverse("account_verify_phone"), {"action": "verify", "code": last_code()})
    assert is_logged_in(client)
    page = client.get(reverse("account_logout"))
    assert page.status_code == 200  # a confirmation page, not a log out
    assert is_logged_in(client)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not is_logged_in(client)


# --- Login by phone --------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["0912 345 678", "0912345678", "+84912345678", "84912345678"])
def test_login_by_phone_in_every_accepted_format(client, typed):
    user = make_phone_user()
    response = client.post(reverse("account_login"), {"login": typed, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert int(client.session["_auth_user_id"]) == user.pk


def test_login_with_wrong_password_is_refused_in_vietnamese(client):
    make_phone_user()
    response = client.post(reverse("account_login"), {"login": "0912345678", "password": "sai-mật-khẩu"})
    assert response.status_code == 200
    assert "Số điện thoại hoặc mật khẩu không đúng." in response.content.decode()
    assert not is_logged_in(client)


def test_login_with_unverified_phone_asks_for_the_code_first(client):
    make_phone_user(verified=False)
    response = client.post(reverse("account_login"), {"login": "0912345678", "password": PASSWORD})
    assert response["Location"] == reverse("account_verify_phone")
    assert not is_logged_in(client)
    client.post(reverse("account_verify_phone"), {"action": "verify", "code": last_code()})
    assert is_logged_in(client)


def test_login_by_sms_code(client):
    user = make_phone_user()
    response = client.post(reverse("account_request_login_code"), {"phone": "0912 345 678"})
    assert response.status_code == 302
    response = client.post(reverse("account_confirm_login_code"), {"code": last_code()})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


# --- Sign-up by e-mail -----------------------------------------------------------------


def test_signup_by_email_sends_a_confirmation_and_confirming_logs_in(client):
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "Trần Văn Bình",
            "phone": "",
            "email": "Binh@Example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_logged_in(client)  # e-mail is the only contact: confirmation is mandatory
    user = User.objects.get(email="binh@example.test")
    assert user.phone is None
    assert sms.outbox == []

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["binh@example.test"]
    assert message.subject == "Xác nhận địa chỉ e-mail của bạn"
    url = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    path = url.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert int(client.session["_auth_user_id"]) == user.pk


def test_login_by_email_before_confirmation_resends_and_waits(client):
    user = UserFactory(email="an@example.test", phone=None)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    response = client.post(reverse("account_login"), {"login": "an@example.test", "password": PASSWORD})
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_logged_in(client)
    assert len(mail.outbox) == 1


def test_login_by_confirmed_email(client):
    user = UserFactory(email="an@example.test", phone=None)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    response = client.post(reverse("account_login"), {"login": "AN@example.test", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


# --- Refusals --------------------------------------------------------------------------


def test_duplicate_phone_is_refused_in_vietnamese(client):
    make_phone_user()
    response = signup_by_phone(client, phone="+84 912 345 678")
    assert response.status_code == 200
    assert "Số điện thoại này đã được dùng cho một tài khoản khác." in response.content.decode()
    assert User.objects.filter(phone="+84912345678").count() == 1
    assert sms.outbox == []


def test_duplicate_email_is_refused_in_vietnamese(client):
    user = UserFactory(email="an@example.test")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    response = client.post(
        reverse("account_signup"),
        {"phone": "", "email": "an@example.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "Địa chỉ e-mail này đã được dùng cho một tài khoản khác." in response.content.decode()
    assert User.objects.filter(email="an@example.test").count() == 1


@pytest.mark.parametrize("typed", ["12345", "không có số", "+1 650 253 0000", "024 3825 1234"])
def test_invalid_phone_is_a_form_error_not_a_500(client, typed):
    response = signup_by_phone(client, phone=typed)
    assert response.status_code == 200
    assert "Số điện thoại không hợp lệ." in response.content.decode()
    assert not User.objects.exists()


def test_signup_needs_a_phone_or_an_email(client):
    response = client.post(
        reverse("account_signup"), {"phone": "", "email": "", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200
    assert "Hãy nhập số điện thoại hoặc địa chỉ e-mail." in response.content.decode()
    assert not User.objects.exists()


def test_mismatched_passwords_are_refused_in_vietnamese(client):
    response = client.post(
        reverse("account_signup"),
        {"phone": "0912345678", "password1": PASSWORD, "password2": PASSWORD + "x"},
    )
    assert response.status_code == 200
    assert "Hai mật khẩu bạn nhập không giống nhau." in response.content.decode()


def test_login_that_is_neither_email_nor_phone_is_a_form_error(client):
    response = client.post(reverse("account_login"), {"login": "ai đó", "password": PASSWORD})
    assert response.status_code == 200
    assert "E-mail, số điện thoại hoặc mật khẩu không đúng." in response.content.decode()


# --- Password reset --------------------------------------------------------------------


def test_password_reset_by_email(client):
    user = UserFactory(email="an@example.test")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    response = client.post(reverse("account_reset_password"), {"email": "an@example.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Đặt lại mật khẩu"
    url = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    path = url.split("testserver", 1)[1]
    response = client.get(path)  # allauth moves the key into the session and redirects
    assert response.status_code == 302
    form_url = response["Location"]
    new_password = "Mật-khẩu-mới-2027"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_reset_by_unknown_email_is_refused(client):
    response = client.post(reverse("account_reset_password"), {"email": "ai@example.test"})
    assert response.status_code == 200
    assert "Không có tài khoản nào dùng địa chỉ e-mail này." in response.content.decode()
    assert mail.outbox == []


def test_password_reset_by_phone(client):
    user = make_phone_user()
    response = client.post(reverse("accounts:phone_password_reset"), {"phone": "0912 345 678"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:phone_password_reset_confirm")
    assert sms.outbox[-1].to == "+84912345678"
    assert "Mã đặt lại mật khẩu" in sms.outbox[-1].body

    new_password = "Mật-khẩu-mới-2027"
    response = client.post(
        reverse("accounts:phone_password_reset_confirm"),
        {"code": last_code(), "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)

    # The code is spent: the page sends people back to ask for a new one.
    again = client.get(reverse("accounts:phone_password_reset_confirm"))
    assert again["Location"] == reverse("accounts:phone_password_reset")

    response = client.post(reverse("account_login"), {"login": "0912345678", "password": new_password})
    assert int(client.session["_auth_user_id"]) == user.pk


def test_password_reset_by_phone_wrong_code_then_too_many(client, settings):
    user = make_phone_user()
    client.post(reverse("accounts:phone_password_reset"), {"phone": "0912345678"})
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    data = {"code": wrong, "password1": "Mật-khẩu-mới-2027", "password2": "Mật-khẩu-mới-2027"}
    response = client.post(reverse("accounts:phone_password_reset_confirm"), data)
    assert response.status_code == 400
    assert "Mã xác minh không đúng." in response.content.decode()
    for _ in range(settings.ACCOUNT_PASSWORD_RESET_BY_CODE_MAX_ATTEMPTS - 1):
        response = client.post(reverse("accounts:phone_password_reset_confirm"), data)
    assert response["Location"] == reverse("accounts:phone_password_reset")
    # Even the right code no longer works: the attempt is over.
    client.post(reverse("accounts:phone_password_reset_confirm"), {**data, "code": code})
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_by_unknown_or_invalid_phone(client):
    response = client.post(reverse("accounts:phone_password_reset"), {"phone": "0987 654 321"})
    assert response.status_code == 400
    assert "Không có tài khoản nào dùng số điện thoại này." in response.content.decode()
    response = client.post(reverse("accounts:phone_password_reset"), {"phone": "123"})
    assert response.status_code == 400
    assert "Số điện thoại không hợp lệ." in response.content.decode()
    assert sms.outbox == []


def test_password_reset_by_phone_is_rate_limited(client):
    # Three codes per number per 15 minutes (LMS_RATE_LIMITS "phone_code_send"; allauth's
    # "reset_password" would allow five a minute): tests/lms/accounts/test_ratelimits.py.
    make_phone_user()
    statuses = [
        client.post(reverse("accounts:phone_password_reset"), {"phone": "0912345678"}).status_code
        for _ in range(4)
    ]
    assert statuses[:3] == [302] * 3
    assert statuses[3] == 429
    assert len(sms.outbox) == 3


# --- Pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,text",
    [
        ("account_login", "Đăng nhập"),
        ("account_signup", "Đăng ký tài khoản"),
        ("account_reset_password", "Quên mật khẩu"),
        ("account_request_login_code", "Đăng nhập bằng mã"),
        ("accounts:phone_password_reset", "Đặt lại mật khẩu bằng số điện thoại"),
    ],
)
def test_pages_use_the_site_layout_in_vietnamese(client, name, text):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert text in html
    assert 'class="site-header"' in html  # our base.html
    assert '<html lang="vi">' in html
    for english in ("Sign In", "Sign Up", "Password", "Forgot your password", "Email"):
        assert english not in html.replace("E-mail", ""), english


def test_profile_shows_and_updates_the_person(client):
    user = make_phone_user()
    user.full_name = "Lê Văn Cường"
    user.save()
    assert client.get(reverse("accounts:profile"))["Location"].startswith(reverse("account_login"))
    client.force_login(user)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Lê Văn Cường" in html and "0912 345 678" in html and "đã xác minh" in html
    home = client.get(reverse("accounts:profile"))
    assert reverse("accounts:profile") in home.content.decode()  # header user menu link
    response = client.post(
        reverse("accounts:profile"), {"full_name": "  Lê  Văn Cường ", "preferred_language": "en"}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    user.refresh_from_db()
    assert (user.full_name, user.preferred_language) == ("Lê Văn Cường", "en")
    bad = client.post(reverse("accounts:profile"), {"full_name": "X", "preferred_language": "fr"})
    assert bad.status_code == 400


@pytest.mark.parametrize(
    "name,text",
    [
        ("account_email", "Thêm địa chỉ e-mail"),
        ("account_change_phone", "Gửi mã xác minh"),
        ("account_change_password", "Mật khẩu hiện tại"),
    ],
)
def test_account_pages_for_a_logged_in_person_are_vietnamese(client, name, text):
    client.force_login(make_phone_user())
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert text in html and 'class="site-header"' in html
    for english in ("Email Addresses", "Change Password", "Add Email", "Current Password"):
        assert english not in html, english


def test_pages_are_translated_to_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("account_signup")).content.decode()
    assert "Create an account" in html and "Mobile phone number" in html
    response = signup_by_phone(client, phone="12345")
    assert "Invalid phone number. Enter a Vietnamese mobile number" in response.content.decode()


def test_sms_rate_limit_inside_a_flow_answers_429_not_500(client):
    """allauth raises RateLimited while sending a phone code (1 per 30 s per number)."""
    make_phone_user(verified=False)
    first = client.post(reverse("account_login"), {"login": "0912345678", "password": PASSWORD})
    assert first["Location"] == reverse("account_verify_phone")
    # A second device logs in to the same account at once: a second SMS would be sent.
    other = Client().post(reverse("account_login"), {"login": "0912345678", "password": PASSWORD})
    assert other.status_code == 429
    assert "Quá nhiều yêu cầu" in other.content.decode()
    assert len(sms.outbox) == 1
