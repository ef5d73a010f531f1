"""The foundation's "done when", as a person does it on a 360 px phone in Chromium:
sign up by phone, confirm with the code printed by the console SMS sender, log in,
search "da nang" from the home page, and switch the interface to English."""

import re

import pytest
from django.core.cache import cache

from content.demo import demo_site_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Mật-khẩu-dài-2026"


def _printed_code(capsys, phone: str) -> str:
    printed = capsys.readouterr().out
    codes = re.findall(rf"\[SMS to {re.escape(phone)}\][^\n]*?\b(\d{{6}})\b", printed)
    assert codes, f"no SMS printed for {phone}: {printed[-500:]}"
    return codes[-1]


def test_phone_signup_login_search_and_english(
    live_server, settings, capsys, browser_page, screenshot_dir
):
    settings.SMS_BACKEND = "lms.accounts.sms.ConsoleSmsBackend"
    cache.clear()
    demo_site_build()
    page = browser_page

    # Sign up with a phone number; the code is printed to the console.
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Số điện thoại di động").fill("0987 654 321")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url("**/accounts/phone/verify/")
    page.get_by_label("Mã xác minh").fill(_printed_code(capsys, "+84987654321"))
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(live_server.url + "/")

    # Log out, then log in again with the number.
    page.get_by_role("button", name="Đăng xuất").click()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("E-mail hoặc số điện thoại").fill("+84987654321")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("button", name="Đăng xuất").is_visible()

    # Search without accents from the home page's search box.
    page.locator("#home-search").fill("da nang")
    page.locator("#home-search").press("Enter")
    page.wait_for_url("**/tim-kiem/?q=da+nang")
    results = page.locator("main").inner_text()
    assert "Đà Nẵng" in results
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / "search-da-nang-360.png"), full_page=True)

    # Switch to English: the same page, the interface in English.
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Đà Nẵng" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Log out").is_visible()
    assert page.get_by_role("button", name="Tiếng Việt").is_visible()
    page.screenshot(path=str(screenshot_dir / "search-english-360.png"), full_page=True)
