"""The privacy notice and "my data" in Chromium at 360 px: no sideways scrolling, the
download works from the page, screenshots for a person to look at."""

import json

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _login(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_notice_and_my_data_at_360px(browser_page, live_server, screenshot_dir):
    page = browser_page
    page.goto(f"{live_server.url}/quyen-rieng-tu/")
    assert page.locator("h1").inner_text() == "Quyền riêng tư và dữ liệu cá nhân"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(screenshot_dir / "privacy-notice-360.png"), full_page=True)

    person = UserFactory(full_name="Phạm Thị Thuỷ", email="thuy@example.test")
    _login(page, live_server, person)
    page.goto(f"{live_server.url}/quyen-rieng-tu/du-lieu-cua-toi/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(screenshot_dir / "privacy-my-data-360.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_role("button", name="Tải dữ liệu của tôi (JSON)").click()
    data = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert data["sections"]["account"]["data"]["account"]["full_name"] == "Phạm Thị Thuỷ"
    page.get_by_label("Tôi hiểu việc xoá không thể hoàn tác.").check()
    page.get_by_role("button", name="Gửi yêu cầu xoá").click()
    assert "đang chờ quản trị viên xử lý" in page.locator("main").inner_text()
