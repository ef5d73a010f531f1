"""In Chromium at 360 px: take the self-assessment (leaving half-way and coming back),
then open the profile and read why a level is what it is."""

import pytest
from django.conf import settings
from django.test import Client

from assessments.loading import frameworks_load
from assessments.selfassessment_loading import selfassessment_load
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _answer_step(page, choice: str = "Tự làm được") -> None:
    for fieldset in page.locator("fieldset.sa-item").all():
        if fieldset.locator(".sa-kind").count():
            fieldset.locator("input[type=radio]").first.check()
        else:
            fieldset.get_by_label(choice, exact=True).check()


def test_self_assessment_then_profile_on_a_phone(live_server, browser_page, screenshot_dir):
    frameworks_load()
    selfassessment_load()
    page = browser_page
    _log_in(page, live_server, UserFactory())
    page.goto(f"{live_server.url}/danh-gia/tu-danh-gia/")
    page.get_by_role("button", name="Bắt đầu tự đánh giá").click()
    page.wait_for_url("**/tu-danh-gia/buoc/1/")
    assert "Bước 1/6" in page.inner_text("main") and _fits(page)
    page.screenshot(path=str(screenshot_dir / "selfassessment_step1_360.png"), full_page=True)
    _answer_step(page)
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_url("**/tu-danh-gia/buoc/2/")
    _answer_step(page, "Làm thành thạo và có thể giúp người khác")
    page.get_by_role("button", name="Lưu, làm tiếp sau").click()
    page.wait_for_url("**/danh-gia/tu-danh-gia/")
    # Come back later: resumes at step 3, step 2's answers kept.
    page.get_by_role("button", name="Làm tiếp").click()
    page.wait_for_url("**/tu-danh-gia/buoc/3/")
    page.get_by_role("button", name="Quay lại").click()
    page.wait_for_url("**/tu-danh-gia/buoc/2/")
    assert page.locator("input[type=radio]:checked").count() == 10
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    for step in "345":
        page.wait_for_url(f"**/tu-danh-gia/buoc/{step}/")
        _answer_step(page)
        page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_url("**/tu-danh-gia/buoc/6/")
    _answer_step(page)
    page.get_by_role("button", name="Hoàn thành và xem kết quả").click()
    page.wait_for_url("**/tu-danh-gia/ket-qua/*/")
    assert "Kỹ năng số tổng thể:" in page.inner_text("main") and _fits(page)
    page.screenshot(path=str(screenshot_dir / "selfassessment_result_360.png"), full_page=True)
    page.get_by_role("link", name="Xem hồ sơ năng lực của tôi").click()
    page.wait_for_url("**/danh-gia/ho-so/")
    assert page.locator("svg.pf-chart").count() == 6 and _fits(page)
    why = page.locator("#vi-sao-digcomp-22-21")
    assert not why.locator(".pf-rule").is_visible()
    why.locator("summary").click()
    text = why.inner_text()
    # Step 2 answered "confidently": self-assessed level 5, counted as 4 (the cap), explained.
    assert "bậc 4 — vì sao?" in text and "lần gần nhất cho bậc 5" in text and "tối đa đến bậc 4" in text
    assert "Tự đánh giá: bậc 5" in text and "Điểm 100.0/100" in text
    page.screenshot(path=str(screenshot_dir / "profile_360.png"), full_page=True)
