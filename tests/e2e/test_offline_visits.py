"""Issue 6's first "done when", in Chromium at 360 px: a team member signs in to the
visit app, it downloads the village register, the network is cut, the member logs two
visits, reloads the page (the service worker serves the app, the queue survives), the
network comes back and both visits arrive exactly once; sending the same queue again
creates nothing."""

import re
import time

import pytest
from django.core.cache import cache
from django.core.signals import request_started

from community_teams.catalogue import activity_catalogue_sync
from community_teams.models import Activity, Device, SupportVisit, VisitActivity
from community_teams.services import device_revoke, household_create, household_delete, resident_create
from lms.accounts.models import Role
from lms.accounts.services import role_assign, user_phone_set
from tests.conftest import PHONE_VIEWPORT
from tests.factories import UserFactory, make_commune, make_province, make_village

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

APP = "/to-cong-nghe-so/ung-dung/"
PASSWORD = "mật-khẩu-thử-123"  # UserFactory's
PHONE = "0912 345 678"

# The raw IndexedDB calls the test uses to look at (and re-fill) the app's queue.
QUEUE_READ = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("to-cong-nghe-so-visits");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const request = open.result.transaction("queue").objectStore("queue").getAll();
    request.onsuccess = () => { open.result.close(); resolve(request.result); };
    request.onerror = () => reject(request.error);
  };
})"""
QUEUE_WRITE = """(items) => new Promise((resolve, reject) => {
  const open = indexedDB.open("to-cong-nghe-so-visits");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const tx = open.result.transaction("queue", "readwrite");
    for (const item of items) tx.objectStore("queue").put({ ...item, status: "pending", detail: "" });
    tx.oncomplete = () => { open.result.close(); resolve(items.length); };
    tx.onerror = () => reject(tx.error);
  };
})"""


def _register():
    # The catalogue comes from a data migration; a transactional test that ran earlier in
    # the session may have flushed it (seen when non-transactional tests run first: the
    # serialized-rollback restore came back without these rows). Loading it is idempotent.
    activity_catalogue_sync(model=Activity)
    province = make_province("Tỉnh Thái Nguyên Thử")
    commune = make_commune(province, "Xã Phú Đình")
    village = make_village(commune, "Thôn Đồng Hoàng")
    other = make_village(commune, "Thôn Khuôn Tát")
    member = UserFactory(username="to-vien-hang", full_name="Nguyễn Thị Hằng")
    user_phone_set(user=member, phone=PHONE, verified=True)
    role_assign(user=member, role=Role.TEAM_MEMBER, unit=village)
    neighbour = UserFactory(username="to-vien-khac")
    role_assign(user=neighbour, role=Role.TEAM_MEMBER, unit=other)

    def household(by, village, label, residents):
        row = household_create(
            by=by, village=village, label=label, address_hint="Xóm Giữa", children_under_16=1,
            consent_given=True, consent_purpose="Hỗ trợ chuyển đổi số",
        )
        for birth_year, sex in residents:
            resident_create(by=by, household=row, birth_year=birth_year, sex=sex)
        return row

    hung = household(member, village, "Hộ ông Đặng Văn Hùng", [(1968, "male"), (1971, "female")])
    anh = household(member, village, "Hộ bà Lê Thị Ngọc Ánh", [(1990, "female")])
    household(member, village, "Hộ ông Vũ Đức Thắng", [(1955, "male")])
    household(neighbour, other, "Hộ bà Hoàng Thị Khuê", [(1980, "female")])  # another village
    return member, hung, anh


def _log_in(page, live_server) -> None:
    """Sign in to the site from the app's address, which sends the member back to it."""
    page.goto(live_server.url + APP)
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("E-mail hoặc số điện thoại").fill(PHONE)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server.url + APP)


def _sign_device_in(page, households: int) -> None:
    page.get_by_role("button", name="Đăng nhập thiết bị này").click()
    page.get_by_text(f"Đã cập nhật danh sách: {households} hộ.").wait_for()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def _pick_household(page, typed: str, label: str) -> None:
    page.get_by_label("Hộ gia đình", exact=True).fill(typed)
    page.get_by_role("radio", name=re.compile(re.escape(label))).check()
    assert page.locator("#va-chosen").inner_text().startswith(f"✓ {label}")


def _activity(page, name: str):
    return page.locator(".va-activity", has=page.get_by_role("checkbox", name=name, exact=True))


@pytest.fixture
def server_hits():
    """Paths of the requests that reach the live server (it runs in this process)."""
    hits: list[str] = []

    def record(sender, environ=None, **kwargs):
        hits.append((environ or {}).get("PATH_INFO", ""))

    request_started.connect(record, weak=False)
    yield hits
    request_started.disconnect(record)


def test_offline_visits_arrive_once(live_server, browser, screenshot_dir, server_hits):
    cache.clear()
    member, hung, anh = _register()
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN", service_workers="allow")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        _log_in(page, live_server)
        # Sign the device in once; the register downloads: this village's three households.
        # The service worker controls the page once it has installed and claimed it.
        _sign_device_in(page, households=3)
        assert page.get_by_text("Không còn lượt thăm nào chờ gửi.").is_visible()
        assert APP in server_hits and "/api/v1/teams/sync-data" in server_hits  # the recorder works
        page.get_by_label("Hộ gia đình", exact=True).fill("khue")
        assert page.get_by_text("Không tìm thấy hộ nào").is_visible()  # village B is not here
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(screenshot_dir / "visit-app-online-360.png"), full_page=True)

        # The network is cut.
        context.set_offline(True)
        page.get_by_text("Đang ngoại tuyến").wait_for()

        # Visit 1: found without accents; two residents present; VNeID installed.
        _pick_household(page, "dang van hung", "Hộ ông Đặng Văn Hùng")
        page.get_by_role("checkbox", name="Nam · sinh 1968").check()
        page.get_by_role("checkbox", name="Nữ · sinh 1971").check()
        vneid = _activity(page, "Cài đặt ứng dụng VNeID, kích hoạt mức 1")
        vneid.get_by_role("checkbox").check()
        vneid.get_by_role("combobox").select_option(label="Nam · sinh 1968")
        page.get_by_label("Ghi chú").fill("Đã hướng dẫn cả hai vợ chồng.")
        page.get_by_role("button", name="Lưu lượt thăm").dblclick()  # a double tap saves once
        page.get_by_text("1 lượt thăm chờ gửi").wait_for()
        assert len(page.evaluate(QUEUE_READ)) == 1

        # Visit 2: a payment account that could not be opened, with the reason (required).
        _pick_household(page, "ngoc anh", "Hộ bà Lê Thị Ngọc Ánh")
        page.get_by_role("checkbox", name="Nữ · sinh 1990").check()
        payment = _activity(page, "Mở tài khoản thanh toán")
        payment.get_by_role("checkbox").check()
        payment.get_by_role("combobox").select_option(label="Nữ · sinh 1990")
        payment.get_by_role("radio", name="Không làm được").check()
        page.get_by_role("button", name="Lưu lượt thăm").click()
        assert page.get_by_text("Hãy ghi lý do cho hoạt động không làm được").is_visible()
        payment.get_by_role("textbox").fill("Chưa mang căn cước")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        payment.screenshot(path=str(screenshot_dir / "visit-app-form-360.png"))
        page.get_by_role("button", name="Lưu lượt thăm").click()
        page.get_by_text("2 lượt thăm chờ gửi").wait_for()
        assert SupportVisit.objects.count() == 0

        # Reload while offline: the service worker serves the app from its cache (nothing
        # reaches the server); the queue is still there.
        hits_before = len(server_hits)
        response = page.reload()
        assert response is not None and response.from_service_worker
        page.wait_for_function("() => document.body.dataset.appReady === '1'")
        page.get_by_text("2 lượt thăm chờ gửi").wait_for()
        assert page.get_by_text("Đang ngoại tuyến").is_visible()
        queued = page.evaluate(QUEUE_READ)
        labels = sorted(item["household_label"] for item in queued)
        assert labels == ["Hộ bà Lê Thị Ngọc Ánh", "Hộ ông Đặng Văn Hùng"]
        assert all(item["status"] == "pending" for item in queued)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(screenshot_dir / "visit-app-offline-360.png"), full_page=True)
        assert server_hits[hits_before:] == []
        assert SupportVisit.objects.count() == 0

        # The network comes back: the app sends the queue by itself.
        context.set_offline(False)
        page.get_by_text("Đã gửi 2 lượt thăm.").wait_for()
        page.get_by_text("Không còn lượt thăm nào chờ gửi.").wait_for()
        visits = {str(v.pk): v for v in SupportVisit.objects.all()}
        assert set(visits) == {item["id"] for item in queued}
        by_household = {v.household_id: v for v in visits.values()}
        assert set(by_household) == {hung.pk, anh.pk}
        assert by_household[hung.pk].note == "Đã hướng dẫn cả hai vợ chồng."
        assert VisitActivity.objects.get(visit=by_household[anh.pk]).outcome == "not_possible"
        assert VisitActivity.objects.count() == 2

        # Sending the very same queue again creates nothing: the server answers "duplicate".
        assert page.evaluate(QUEUE_WRITE, queued) == 2
        page.get_by_role("button", name="Gửi ngay").click()
        page.get_by_text("2 lượt thăm máy chủ đã nhận từ trước (không tạo thêm).").wait_for()
        page.get_by_text("Không còn lượt thăm nào chờ gửi.").wait_for()
        assert SupportVisit.objects.count() == 2
        assert VisitActivity.objects.count() == 2
        assert page.evaluate(QUEUE_READ) == []
    finally:
        context.close()


META_SET = """([key, value]) => new Promise((resolve, reject) => {
  const open = indexedDB.open("to-cong-nghe-so-visits");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const tx = open.result.transaction("meta", "readwrite");
    tx.objectStore("meta").put(value, key);
    tx.oncomplete = () => { open.result.close(); resolve(true); };
    tx.onerror = () => reject(tx.error);
  };
})"""
COUNT = """(store) => new Promise((resolve, reject) => {
  const open = indexedDB.open("to-cong-nghe-so-visits");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const request = open.result.transaction(store).objectStore(store).count();
    request.onsuccess = () => { open.result.close(); resolve(request.result); };
    request.onerror = () => reject(request.error);
  };
})"""


def test_refusals_kept_then_revoked_and_stale_devices_wipe(live_server, browser, screenshot_dir):
    cache.clear()
    member, hung, anh = _register()
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN", service_workers="allow")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        _log_in(page, live_server)
        _sign_device_in(page, households=3)

        # Two visits offline; meanwhile the second household leaves the register.
        context.set_offline(True)
        page.get_by_text("Đang ngoại tuyến").wait_for()
        pairs = (("dang van hung", "Hộ ông Đặng Văn Hùng"), ("ngoc anh", "Hộ bà Lê Thị Ngọc Ánh"))
        for count, (typed, label) in enumerate(pairs, start=1):
            _pick_household(page, typed, label)
            smartphone = _activity(page, "Hướng dẫn sử dụng điện thoại thông minh")
            smartphone.get_by_role("checkbox").check()
            smartphone.get_by_role("combobox").select_option(index=1)
            page.get_by_role("button", name="Lưu lượt thăm").click()
            page.get_by_text(f"{count} lượt thăm chờ gửi").wait_for()
        queued = {item["household_label"]: item for item in page.evaluate(QUEUE_READ)}
        household_delete(by=member, household=anh)

        # Back online: the first is created, the second is refused and stays, with the reason.
        context.set_offline(False)
        page.get_by_text("Đã gửi 1 lượt thăm.").wait_for()
        page.get_by_text("1 lượt thăm chờ gửi").wait_for()
        refused = page.locator(".va-item--invalid")
        assert "Không hợp lệ" in refused.inner_text()
        assert "Không tìm thấy hộ này trong thôn của bạn." in refused.inner_text()
        assert SupportVisit.objects.count() == 1
        # The register followed: the deleted household is gone from the phone.
        page.get_by_label("Hộ gia đình", exact=True).fill("ngoc anh")
        assert page.get_by_text("Không tìm thấy hộ nào").is_visible()

        # The same visit id with other content: a conflict, shown and kept.
        changed = dict(queued["Hộ ông Đặng Văn Hùng"])
        changed["payload"] = {**changed["payload"], "note": "Sửa sau khi đã gửi"}
        page.evaluate(QUEUE_WRITE, [changed])
        page.get_by_role("button", name="Gửi ngay").click()
        page.locator(".va-item--conflict").wait_for()
        assert "Xung đột" in page.locator(".va-item--conflict").inner_text()
        page.get_by_text("2 lượt thăm chờ gửi").wait_for()
        page.screenshot(path=str(screenshot_dir / "visit-app-refused-360.png"), full_page=True)
        assert SupportVisit.objects.get().note == ""  # never overwritten
        # Removing a refused visit from the phone (after a confirmation).
        page.locator(".va-item--conflict").get_by_role("button", name="Xoá khỏi máy").click()
        page.get_by_text("1 lượt thăm chờ gửi").wait_for()

        # The site session ends: the app still opens (the cached page) and still syncs with
        # its device token.
        context.clear_cookies()
        page.reload()
        page.wait_for_function("() => document.body.dataset.appReady === '1'")
        assert page.url == live_server.url + APP
        page.get_by_text("1 lượt thăm chờ gửi").wait_for()
        assert Device.objects.get(user=member).last_sync_at is not None

        # The device is revoked: its next sync wipes the phone and says what was lost.
        device_revoke(device=Device.objects.get(user=member), by=member)
        page.get_by_role("button", name="Gửi ngay").click()
        page.get_by_text("Thiết bị này đã bị thu hồi hoặc hết hạn").wait_for()
        assert page.get_by_text("1 lượt thăm chưa gửi đã bị xoá cùng.").is_visible()
        assert page.get_by_role("button", name="Đăng nhập thiết bị này").is_visible()
        assert page.evaluate(COUNT, "households") == 0 and page.evaluate(COUNT, "queue") == 0

        # Signing in again needs the site session, which ended above: the app says so and
        # links to the login page, which leads back to the app.
        page.get_by_role("button", name="Đăng nhập thiết bị này").click()
        page.get_by_text("Phiên đăng nhập đã hết").wait_for()
        page.get_by_role("link", name="Đăng nhập trang web").click()
        page.get_by_label("E-mail hoặc số điện thoại").fill(PHONE)
        page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(live_server.url + APP)
        _sign_device_in(page, households=2)  # a new device token

        # Pretend 31 days passed without a sync: the next start wipes the register before
        # anything else.
        assert Device.objects.filter(user=member, revoked_at__isnull=True).count() == 1
        context.set_offline(True)
        page.evaluate(META_SET, ["lastSyncAt", int(time.time() * 1000) - 31 * 24 * 3600 * 1000])
        page.reload()
        page.get_by_text("Đã hơn 30 ngày chưa đồng bộ").wait_for()
        assert page.get_by_role("button", name="Đăng nhập thiết bị này").is_visible()
        assert page.evaluate(COUNT, "households") == 0 and page.evaluate(COUNT, "meta") == 0
    finally:
        context.close()


def test_offline_visit_enrols_a_resident_in_a_course(live_server, browser):
    from community_teams.models import AssistedEnrolment, Resident
    from tests.courses.builders import course_build, index_build

    cache.clear()
    member, hung, _anh = _register()
    course = course_build(
        index=index_build(), title="An toàn trên mạng", slug="an-toan-e2e", topic="online_safety"
    )
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN", service_workers="allow")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        _log_in(page, live_server)
        _sign_device_in(page, households=3)
        context.set_offline(True)
        page.get_by_text("Đang ngoại tuyến").wait_for()
        _pick_household(page, "dang van hung", "Hộ ông Đặng Văn Hùng")
        smartphone = _activity(page, "Hướng dẫn sử dụng điện thoại thông minh")
        smartphone.get_by_role("checkbox").check()
        smartphone.get_by_role("combobox").select_option(label="Nữ · sinh 1971")
        page.get_by_label("Người đăng ký học").select_option(label="Nữ · sinh 1971")
        page.get_by_label("Khoá học", exact=True).select_option(label="An toàn trên mạng")
        page.get_by_label("Số điện thoại của người học").fill("12345")
        page.get_by_role("button", name="Lưu lượt thăm").click()
        assert page.get_by_text("Số điện thoại của người học chưa đúng").is_visible()
        assert page.get_by_text("Hãy đánh dấu rằng người dân đã đồng ý").is_visible()
        page.get_by_label("Số điện thoại của người học").fill("0987 654 321")
        page.get_by_label("Người dân đã đồng ý tạo tài khoản").check()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.get_by_role("button", name="Lưu lượt thăm").click()
        page.get_by_text("1 lượt thăm chờ gửi").wait_for()
        [queued] = page.evaluate(QUEUE_READ)
        woman = Resident.objects.get(household=hung, birth_year=1971)
        assert queued["payload"]["enrolments"] == [
            {"resident_id": str(woman.pk), "course_id": course.pk, "phone": "0987 654 321", "consent": True}
        ]
        assert str(woman.pk) in queued["payload"]["resident_ids"]  # enrolled, so present

        context.set_offline(False)
        page.get_by_text("Đã gửi 1 lượt thăm.").wait_for()
        assisted = AssistedEnrolment.objects.get()
        assert assisted.helper == member and assisted.resident == woman
        assert assisted.enrolment.course_id == course.pk
        assert assisted.enrolment.learner.phone == "+84987654321"
    finally:
        context.close()


def test_queued_visit_edited_in_place_and_sent_visit_corrected(live_server, browser):
    cache.clear()
    member, hung, _anh = _register()
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN", service_workers="allow")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        _log_in(page, live_server)
        _sign_device_in(page, households=3)
        context.set_offline(True)
        page.get_by_text("Đang ngoại tuyến").wait_for()
        _pick_household(page, "dang van hung", "Hộ ông Đặng Văn Hùng")
        smartphone = _activity(page, "Hướng dẫn sử dụng điện thoại thông minh")
        smartphone.get_by_role("checkbox").check()
        smartphone.get_by_role("combobox").select_option(label="Nam · sinh 1968")
        page.get_by_label("Ghi chú").fill("Bản đầu")
        page.get_by_role("button", name="Lưu lượt thăm").click()
        page.get_by_text("1 lượt thăm chờ gửi").wait_for()
        [first] = page.evaluate(QUEUE_READ)

        # Not sent yet: edited in place, same id, still one item.
        page.locator("#va-queue-list li").get_by_role("button", name="Sửa").click()
        page.get_by_text("Đang sửa lượt thăm chưa gửi").wait_for()
        assert page.get_by_label("Ghi chú").input_value() == "Bản đầu"
        chosen = first["payload"]["activities"][0]["resident_id"]
        assert smartphone.get_by_role("combobox").input_value() == chosen
        page.get_by_label("Ghi chú").fill("Sửa trước khi gửi")
        page.get_by_role("button", name="Lưu lượt thăm").click()
        page.get_by_text("1 lượt thăm chờ gửi").wait_for()
        [edited] = page.evaluate(QUEUE_READ)
        assert edited["id"] == first["id"] and edited["payload"]["note"] == "Sửa trước khi gửi"
        assert edited["payload"]["replaces"] is None

        context.set_offline(False)
        page.get_by_text("Đã gửi 1 lượt thăm.").wait_for()
        assert SupportVisit.objects.get().note == "Sửa trước khi gửi"

        # Sent: corrected from the "recently sent" list as a new version replacing it.
        recent = page.locator("#va-recent-list li")
        recent.first.wait_for()  # the list is drawn when the sync ends
        assert recent.count() == 1 and "Hộ ông Đặng Văn Hùng" in recent.inner_text()
        recent.get_by_role("button", name="Sửa").click()
        page.get_by_text("Đang sửa lượt thăm đã gửi").wait_for()
        page.get_by_label("Ghi chú").fill("Bản sửa sau khi gửi")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.get_by_role("button", name="Lưu lượt thăm").click()
        # Sent by itself (online): the list then offers the correction, not the replaced version.
        page.wait_for_function(
            "(id) => { const rows = document.querySelectorAll('#va-recent-list li');"
            " return rows.length === 1 && rows[0].dataset.visitId !== id; }",
            arg=first["id"],
        )
        page.get_by_text("Không còn lượt thăm nào chờ gửi.").wait_for()
        correction = SupportVisit.objects.exclude(pk=first["id"]).get()
        assert str(correction.replaces_id) == first["id"] and correction.note == "Bản sửa sau khi gửi"
        assert SupportVisit.objects.count() == 2
        assert page.locator("#va-recent-list li").get_attribute("data-visit-id") == str(correction.pk)
    finally:
        context.close()
