"""In Chromium at 360 px: a training manager finds a civil servant of their agency,
records a competence they verified, corrects it, and the pages fit the phone."""

import pytest
from django.conf import settings
from django.test import Client

from assessments.loading import frameworks_load
from assessments.models import Evidence
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from tests.factories import UserFactory, make_agency

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_manager_records_and_corrects_evidence_on_a_phone(live_server, browser_page, screenshot_dir):
    frameworks_load()
    department = make_agency("Sở Thông tin và Truyền thông")
    manager = UserFactory(full_name="Trần Quản Lý")
    role_assign(user=manager, role=Role.TRAINING_MANAGER, agency=department)
    servant = UserFactory(full_name="Lê Văn Trong")
    role_assign(user=servant, role=Role.CIVIL_SERVANT, agency=make_agency("Trung tâm CĐS", parent=department))
    page = browser_page
    _log_in(page, live_server, manager)

    page.goto(f"{live_server.url}/danh-gia/minh-chung/")
    page.get_by_label("Tìm theo họ tên, e-mail hoặc số điện thoại").fill("Trong")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("link", name="Lê Văn Trong").click()
    competence = "digcomp-2.2:4.2 Bảo vệ dữ liệu cá nhân và quyền riêng tư"
    page.get_by_label("Năng lực").select_option(label=competence)
    page.get_by_label("Bậc").fill("5")
    page.get_by_label("Ghi chú (đã quan sát, kiểm tra điều gì)").fill("Tự bật xác thực hai lớp cho cả phòng.")
    page.get_by_role("button", name="Ghi nhận").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Đã ghi nhận minh chứng." in main and "Ghi nhận bởi Trần Quản Lý" in main and _fits(page)
    page.screenshot(path=str(screenshot_dir / "staff-evidence-person-360.png"), full_page=True)

    page.get_by_role("link", name="Sửa minh chứng này").click()
    page.get_by_label("Bậc").fill("4")
    page.get_by_label("Lý do sửa").fill("Chỉ làm được khi có hướng dẫn.")
    page.get_by_role("button", name="Ghi bản sửa").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Đã ghi bản sửa" in main and "Đã được sửa, không còn được tính:" in main and _fits(page)
    page.screenshot(path=str(screenshot_dir / "staff-evidence-corrected-360.png"), full_page=True)
    levels = sorted(Evidence.objects.filter(person=servant).values_list("level", flat=True))
    assert levels == [4, 5]
