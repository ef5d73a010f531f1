"""The register and the online visit form in Chromium at 360 px with JavaScript off."""

import pytest
from django.conf import settings
from django.test import Client

from community_teams.models import Household, SupportVisit
from tests.conftest import PHONE_VIEWPORT
from tests.services import require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"{page.url} is {width}px wide"


def test_register_and_visit_without_javascript_at_360px(browser, live_server, screenshot_dir, member_a):
    require_chromium()
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    client = Client()
    client.force_login(member_a)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    try:
        page.goto(live_server.url + "/to-cong-nghe-so/")
        assert "Sổ hộ gia đình" in page.content()
        page.get_by_role("link", name="Thêm hộ").click()
        page.get_by_label("Tên gọi của hộ").fill("Hộ ông Sáu (xóm Đông)")
        page.get_by_label("Số trẻ em dưới 16 tuổi").fill("1")
        page.get_by_label("Hộ đã đồng ý cho ghi các thông tin này").check()
        _fits(page)
        page.get_by_role("button", name="Lưu").click()
        assert Household.objects.get().label == "Hộ ông Sáu (xóm Đông)"
        page.get_by_role("link", name="Thêm người từ 16 tuổi").first.click()
        page.get_by_label("Năm sinh").fill("1970")
        page.get_by_label("Giới tính").select_option("male")
        page.get_by_role("button", name="Lưu").click()
        page.get_by_role("link", name="Ghi lượt thăm").click()
        _fits(page)
        page.screenshot(path=str(screenshot_dir / "community-teams-visit-form.png"), full_page=True)
        page.get_by_text("Cài đặt ứng dụng VNeID, kích hoạt mức 1").click()  # <details>, no script needed
        page.locator("#id_a_install_vneid_outcome").select_option("done")
        page.locator("#id_a_install_vneid_resident").select_option(index=1)
        page.get_by_role("button", name="Lưu lượt thăm").click()
        assert "Đã ghi lượt thăm." in page.content()
        _fits(page)
        page.screenshot(path=str(screenshot_dir / "community-teams-household.png"), full_page=True)
        assert SupportVisit.objects.count() == 1
    finally:
        context.close()
