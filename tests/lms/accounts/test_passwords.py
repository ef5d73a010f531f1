"""Password rules: weak passwords are refused at sign-up and reset, in Vietnamese."""

import pytest
from django.contrib.auth import password_validation
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from lms.accounts.passwords import VietnameseCommonPasswordValidator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def signup(client, password, email="moi@example.test", full_name="Trần Thị Mai"):
    return client.post(
        reverse("account_signup"),
        {"full_name": full_name, "phone": "", "email": email, "password1": password, "password2": password},
    )


@pytest.mark.parametrize(
    "password,message",
    [
        ("abc12", "Mật khẩu quá ngắn: cần ít nhất 8 ký tự."),
        ("password123", "Mật khẩu này quá phổ biến."),
        ("12345678901", "Mật khẩu này hoàn toàn là số."),
        ("Mật khẩu 2026", "Mật khẩu này quá dễ đoán"),
        ("matkhau@123", "Mật khẩu này quá dễ đoán"),
        ("AnhYeuEm1990", "Mật khẩu này quá dễ đoán"),
        ("vietnam2025", "Mật khẩu này quá dễ đoán"),
        ("123456a", "Mật khẩu quá ngắn: cần ít nhất 8 ký tự."),
        ("kynangso-2026", "Mật khẩu này quá dễ đoán"),
        ("moiexample", "Mật khẩu quá giống với"),
    ],
)
def test_weak_passwords_are_refused_at_signup_in_vietnamese(client, password, message):
    response = signup(client, password)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html, html[html.find("errorlist"):][:600]
    assert "This password" not in html
    from lms.accounts.models import User

    assert not User.objects.filter(email="moi@example.test").exists()


def test_a_good_passphrase_is_accepted(client):
    response = signup(client, "Đồng lúa quê tôi 1975!")
    assert response.status_code == 302


@pytest.mark.parametrize("password", ["anh yêu em nhiều lắm", "xK9#mq2Lp", "hoa-sen-trắng-giữa-hồ"])
def test_the_vietnamese_list_does_not_refuse_phrases_that_merely_contain_a_word(password):
    VietnameseCommonPasswordValidator().validate(password)


def test_the_validator_is_one_of_the_settings_validators():
    with pytest.raises(ValidationError) as exc:
        password_validation.validate_password("Hà Nội 2024", UserFactory.build())
    assert "password_too_common_vi" in [e.code for e in exc.value.error_list]


def test_reset_by_phone_refuses_a_weak_new_password(client):
    import re

    from lms.accounts import sms

    user = UserFactory(email="", phone="+84912345678", phone_verified=True)
    sms.outbox.clear()
    client.post(reverse("accounts:phone_password_reset"), {"phone": "0912345678"})
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)
    response = client.post(
        reverse("accounts:phone_password_reset_confirm"),
        {"code": code, "password1": "matkhau123", "password2": "matkhau123"},
    )
    assert response.status_code == 400
    assert "Mật khẩu này quá dễ đoán" in response.content.decode()
    user.refresh_from_db()
    assert not user.check_password("matkhau123")
