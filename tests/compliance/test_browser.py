"""The dashboard at 360 px in Chromium: no sideways scrolling of the page, the chart
drawn next to its table, drill-down by links; a screenshot to look at."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from courses.compliance.services import rollups_rebuild

from .conftest import NOW, manager_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _log_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_dashboard_at_360px(counted, live_server, browser_page, screenshot_dir):
    rollups_rebuild(now=NOW)
    page = browser_page
    _log_in(page.context, live_server, manager_of(counted["so"]))
    page.goto(live_server.url + reverse("compliance:agency", args=[counted["so"].pk]) + "?nam=2025")
    assert page.locator("h1").inner_text() == "Sở Nội vụ Tỉnh Thử"
    page.wait_for_function("() => document.getElementById('cmp-trend-chart').width > 0")
    assert page.locator(".cmp-chart").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / "compliance-dashboard-360.png"), full_page=True)
    page.get_by_role("link", name="Phòng A").first.click()
    assert page.locator("h1").inner_text() == "Phòng A"
    page.get_by_role("link", name="Tổ A1").click()
    page.get_by_role("link", name="Trực tiếp tại Tổ A1").click()
    assert "Người Thử 08" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / "compliance-people-360.png"), full_page=True)
