"""A learner takes a quiz on a 360 px phone in Chromium: start, answer, save, lose the
connection, come back to the same attempt, submit, read the review. Screenshots of the
attempt and review pages go to the screenshot folder."""

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import UserFactory

from .builders import bank_with_quiz

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.urls("tests.assessments.quizzes.urls"),
]


def _log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_take_a_quiz_on_a_phone(live_server, browser_page, screenshot_dir):
    quiz, questions, _c = bank_with_quiz(time_limit_seconds=1200, pass_mark_percent=50)
    page = browser_page
    _log_in(page, live_server, UserFactory())

    page.goto(f"{live_server.url}/danh-gia/bai-kiem-tra/{quiz.pk}/")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/danh-gia/bai-lam/*/")
    attempt_url = page.url
    assert "Còn khoảng 20 phút" in page.locator(".quiz-timer").inner_text()

    page.get_by_label("Không bao giờ").check()
    page.get_by_label("Yêu cầu chuyển tiền gấp").check()
    page.get_by_label("Đường dẫn lạ").check()
    page.get_by_label("Giọng nói đe doạ").check()
    page.get_by_label("Đúng", exact=True).check()
    page.get_by_label("Định danh điện tử").select_option(label="VNeID")
    page.get_by_label("Dịch vụ công").select_option(label="Cổng Dịch vụ công quốc gia")
    page.get_by_label("Nộp thuế").select_option(label="eTax Mobile")
    for position, item in enumerate(
        ["Tải ứng dụng", "Nhập số định danh", "Nhập mã kích hoạt", "Đặt mật khẩu"], start=1
    ):
        page.get_by_label(item).select_option(str(position))
    page.get_by_label("Nhập một số").fill("6")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(attempt_url)
    assert "Đã lưu câu trả lời" in page.locator(".messages").inner_text()
    assert _fits(page)
    page.screenshot(path=str(screenshot_dir / "quiz-attempt-360.png"), full_page=True)

    # The connection drops while typing the last answer; the page cannot be reloaded
    # offline. (What the page's script keeps in the browser and resends is followed in
    # tests/e2e/test_learner_competence_journey.py.)
    page.get_by_label("Câu trả lời của bạn").fill("ha noi")
    page.context.set_offline(True)
    with pytest.raises(Exception):  # noqa: B017 - the browser's network error
        page.goto(attempt_url, timeout=3000)
    page.context.set_offline(False)

    # Back online, the start page offers to resume the same attempt with its answers.
    page.goto(f"{live_server.url}/danh-gia/bai-kiem-tra/{quiz.pk}/")
    page.get_by_role("button", name="Làm tiếp bài đang dở").click()
    page.wait_for_url(attempt_url)
    assert page.get_by_label("Không bao giờ").is_checked()
    assert page.get_by_label("Nhập một số").input_value() == "6"
    page.get_by_label("Câu trả lời của bạn").fill("ha noi")
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/ket-qua/")
    main = page.locator("main").inner_text()
    assert "Đạt" in main and "7 / 7 điểm (100%)" in main
    assert "Kẻ gian giả danh để lấy OTP." in main
    assert _fits(page)
    page.screenshot(path=str(screenshot_dir / "quiz-review-360.png"), full_page=True)
