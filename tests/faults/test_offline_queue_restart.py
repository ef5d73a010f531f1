"""The visit app's offline queue survives a browser restart.

Chromium with a persistent profile (a user-data directory, as on a phone): a team member
signs the device in, goes offline, logs two visits, and the browser is closed. A new
browser opens the same profile while still offline: the service worker serves the app, the
two visits are still queued. The network comes back: they arrive, exactly once.
"""

import pytest
from django.core.cache import cache

from community_teams.models import SupportVisit
from tests.conftest import CHROMIUM_ARGS, PHONE_VIEWPORT
from tests.e2e.test_offline_visits import (
    APP,
    QUEUE_READ,
    _activity,
    _log_in,
    _pick_household,
    _register,
    _sign_device_in,
)
from tests.services import require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _launch(browser, profile):
    context = browser.browser_type.launch_persistent_context(
        str(profile),
        executable_path=require_chromium(),
        args=CHROMIUM_ARGS,
        headless=True,
        viewport=PHONE_VIEWPORT,
        locale="vi-VN",
        service_workers="allow",
    )
    context.set_default_timeout(30_000)
    return context


def test_offline_queue_survives_a_browser_restart(live_server, browser, tmp_path):
    cache.clear()
    member, hung, anh = _register()
    profile = tmp_path / "chromium-profile"
    context = _launch(browser, profile)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        _log_in(page, live_server)
        _sign_device_in(page, households=3)
        context.set_offline(True)
        page.get_by_text("Đang ngoại tuyến").wait_for()

        _pick_household(page, "dang van hung", "Hộ ông Đặng Văn Hùng")
        vneid = _activity(page, "Cài đặt ứng dụng VNeID, kích hoạt mức 1")
        vneid.get_by_role("checkbox").check()
        vneid.get_by_role("combobox").select_option(label="Nam · sinh 1968")
        page.get_by_role("button", name="Lưu lượt thăm").click()
        page.get_by_text("1 lượt thăm chờ gửi").wait_for()

        _pick_household(page, "ngoc anh", "Hộ bà Lê Thị Ngọc Ánh")
        payment = _activity(page, "Mở tài khoản thanh toán")
        payment.get_by_role("checkbox").check()
        payment.get_by_role("combobox").select_option(label="Nữ · sinh 1990")
        page.get_by_role("button", name="Lưu lượt thăm").click()
        page.get_by_text("2 lượt thăm chờ gửi").wait_for()
        queued = sorted(item["id"] for item in page.evaluate(QUEUE_READ))
        assert len(queued) == 2
    finally:
        context.close()  # the browser is closed with the visits still queued
    assert SupportVisit.objects.count() == 0

    context = _launch(browser, profile)
    try:
        context.set_offline(True)
        page = context.pages[0] if context.pages else context.new_page()
        response = page.goto(live_server.url + APP)
        assert response is not None and response.from_service_worker
        page.wait_for_function("() => document.body.dataset.appReady === '1'")
        page.get_by_text("2 lượt thăm chờ gửi").wait_for()
        assert sorted(item["id"] for item in page.evaluate(QUEUE_READ)) == queued
        assert SupportVisit.objects.count() == 0

        context.set_offline(False)
        page.get_by_text("Đã gửi 2 lượt thăm.").wait_for()
        page.get_by_text("Không còn lượt thăm nào chờ gửi.").wait_for()
        assert sorted(str(pk) for pk in SupportVisit.objects.values_list("pk", flat=True)) == queued
        assert page.evaluate(QUEUE_READ) == []

        # Sending again (the button) stores nothing more.
        page.get_by_role("button", name="Gửi ngay").click()
        page.wait_for_function("() => document.body.dataset.syncing === undefined")
        assert SupportVisit.objects.count() == 2
    finally:
        context.close()
