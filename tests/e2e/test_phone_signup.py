"""A citizen signs up with a phone number on a 360 px screen, confirms the SMS code,
logs out and logs in again with the number typed differently."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from lms.accounts import sms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Mật-khẩu-dài-2026"


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _code_sent_to(phone: str) -> str:
    messages = [m for m in sms.outbox if m.to == phone]
    assert messages, f"no SMS to {phone}: {sms.outbox}"
    return re.search(r"\b(\d{6})\b", messages[-1].body).group(1)


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_signup_confirm_logout_login(live_server, transactional_db, browser_page, screenshot_dir):
    page = browser_page

    # Sign up.
    page.goto(live_server.url + "/accounts/signup/")
    assert page.locator("h1").inner_text() == "Đăng ký tài khoản"
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Hoa")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    assert _no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot_dir / "signup-360.png"), full_page=True)
    page.get_by_role("button", name="Đăng ký").click()

    # The code page; the code is what the SMS backend "sent".
    page.wait_for_url("**/accounts/phone/verify/")
    assert "0912 345 678" in page.content()
    page.screenshot(path=str(screenshot_dir / "verify-phone-360.png"), full_page=True)
    page.get_by_label("Mã xác minh").fill(_code_sent_to("+84912345678"))
    page.get_by_role("button", name="Xác nhận").click()

    page.wait_for_url(live_server.url + "/")
    user = get_user_model().objects.get(phone="+84912345678")
    assert user.phone_verified
    # The home page belongs to the content app; the profile page shows who is logged in.
    page.goto(live_server.url + "/accounts/profile/")
    assert page.locator("h1").inner_text() == "Tài khoản của tôi"
    assert "0912 345 678" in page.content()
    assert page.get_by_role("link", name="Nguyễn Thị Hoa").is_visible()  # header user menu
    page.screenshot(path=str(screenshot_dir / "profile-360.png"), full_page=True)

    # Log out (a POST from the header).
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/accounts/profile/")  # now asks to log in
    page.wait_for_url("**/accounts/login/?next=/accounts/profile/")

    # Log in again, the number typed in international form.
    page.get_by_label("E-mail hoặc số điện thoại").fill("+84912345678")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    assert _no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot_dir / "login-360.png"), full_page=True)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server.url + "/accounts/profile/")
    assert page.get_by_role("link", name="Nguyễn Thị Hoa").is_visible()
    # Only one SMS in the whole journey: the number is already verified at login.
    assert len(sms.outbox) == 1
