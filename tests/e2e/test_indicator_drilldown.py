"""Issue 7's "done when" in Chromium at 360 px: a province officer drills down from the
province to a village and opens the list behind a figure."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from community_teams.indicators.services import indicators_load, national_targets_load, rollups_rebuild
from tests.indicators.conftest import TODAY, sync, visit, world  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _log_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_province_officer_drills_down_to_the_households(world, live_server, browser_page, screenshot_dir):  # noqa: F811
    settings.INDICATORS_FIRST_MONTH = "2026-01"
    # A transactional test may start after another one flushed the migrations' rows.
    call_command("load_activities", stdout=io.StringIO())
    indicators_load()
    national_targets_load()
    for n, village in enumerate(world["villages"]):
        (h, p), (h2, p2) = world["households"][village.pk]
        items = [visit(h, p, day=datetime.date(2026, 8 + n, 3), acts=[("install_vneid", "done", 0)])]
        if n == 0:
            items.append(visit(h2, p2, day=datetime.date(2026, 10, 7), acts=[("install_vneid", "done", 1)]))
        assert sync(world["members"][village.pk], items).created == len(items)
    rollups_rebuild(today=TODAY)
    page = browser_page
    _log_in(page.context, live_server, world["province_officer"])
    page.goto(live_server.url + "/chi-so/?chi-so=digital_identity&ky=2026-10")
    assert page.locator("h1").inner_text() == "Tỉnh Chỉ Số"
    # The home page sends a province officer to their province; pick the indicator and period.
    page.get_by_label("Chỉ số").select_option("digital_identity")
    page.get_by_label("Kỳ").select_option("2026-10")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_function("() => document.getElementById('ind-trend-chart').width > 0")
    assert page.locator(".ind-chart").is_visible()
    assert "33,3%" in page.locator(".ind-big").inner_text()  # 4 of 12 residents
    assert _fits(page)
    page.screenshot(path=str(screenshot_dir / "indicators-province-360.png"), full_page=True)

    page.get_by_role("link", name="Xã Một", exact=True).click()
    assert page.locator("h1").inner_text() == "Xã Một"
    assert "37,5%" in page.locator(".ind-big").inner_text()  # 3 of 8
    page.get_by_role("link", name="Thôn A", exact=True).click()
    assert page.locator("h1").inner_text() == "Thôn A"
    assert _fits(page)
    page.screenshot(path=str(screenshot_dir / "indicators-village-360.png"), full_page=True)

    page.get_by_role("link", name="2 trên 4").click()
    assert page.locator("h1").inner_text().startswith("Người dân có định danh điện tử")
    rows = page.locator("#ind-members tbody tr")
    assert rows.count() == 4
    assert page.locator("#ind-members").inner_text().count("Có") == 2
    assert "Hộ Thôn A 0" in page.content() and "Hộ Thôn A 1" in page.content()
    assert _fits(page)
    page.screenshot(path=str(screenshot_dir / "indicators-list-360.png"), full_page=True)
