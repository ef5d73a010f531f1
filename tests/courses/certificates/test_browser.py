"""The QR link in Chromium at 360 px: valid, then revoked after staff revoke it."""

import pytest

from courses.certificates.services import certificate_revoke
from tests.courses.builders import course_build, index_build
from tests.courses.certificates.conftest import complete_course
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.urls("tests.courses.certificates.urls"),
]


def test_verification_page_valid_then_revoked_at_360px(browser_page, live_server, screenshot_dir):
    course = course_build(index=index_build(), title="Nhận diện lừa đảo trực tuyến", slug="lua-dao")
    learner = UserFactory(full_name="Nguyễn Thị Ánh", email="anh@example.test")
    certificate = complete_course(learner=learner, course=course)
    staff = UserFactory(is_superuser=True, is_staff=True)
    page = browser_page

    page.goto(f"{live_server.url}/chung-chi/{certificate.code}/")
    assert page.get_by_role("heading", name="Chứng nhận hợp lệ").is_visible()
    assert page.get_by_text("Nguyễn Thị Ánh").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / "certificate-valid.png"), full_page=True)

    certificate_revoke(certificate=certificate, by=staff, reason="Cấp nhầm người.")
    page.reload()
    assert page.get_by_role("heading", name="Chứng nhận đã bị thu hồi").is_visible()
    assert page.get_by_text("Chứng nhận hợp lệ").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / "certificate-revoked.png"), full_page=True)

    # A mistyped code gets the helpful page, and the form there finds the right one.
    page.goto(f"{live_server.url}/chung-chi/KHONGCOMANAY/")
    assert page.get_by_role("heading", name="Không tìm thấy chứng nhận").is_visible()
    page.get_by_label("Mã chứng nhận").fill(certificate.code_display.lower())
    page.get_by_role("button", name="Kiểm tra").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/chung-chi/{certificate.code}/")
