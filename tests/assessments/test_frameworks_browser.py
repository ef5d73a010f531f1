"""The framework pages in the machine's Chromium at 360 px: readable, no sideways scroll."""

import pytest

from assessments.loading import frameworks_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_framework_pages_at_360px(live_server, browser_page, screenshot_dir):
    frameworks_load()
    page = browser_page
    page.goto(f"{live_server.url}/danh-gia/khung-nang-luc/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(screenshot_dir / "frameworks_list_360.png"), full_page=True)
    page.get_by_role("link", name="Khung năng lực số cho người học").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Khung năng lực số cho người học"
    assert page.get_by_role("heading", name="6 Ứng dụng trí tuệ nhân tạo").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(screenshot_dir / "framework_tt02_360.png"))
    page.get_by_role("link", name="Bậc trình độ").click()  # an in-page anchor, no JavaScript
    page.screenshot(path=str(screenshot_dir / "framework_tt02_levels_360.png"))
    assert "Chuyên sâu" in page.inner_text("#trinh-do")
