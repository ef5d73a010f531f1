"""The main flows with the keyboard alone (Tab, Shift+Tab, Enter, Space and typing), in
Chromium at 360 px: log in, open a course, open a lesson, mark it done and go on, start a
quiz, answer and submit it; a team member logs a visit in the visit app. Every control
is reached by Tab from the previous one and shows a visible focus indicator when it is;
within a group of radio buttons the arrow keys move the choice, as browsers define it.
No click, no mouse."""

import re

import pytest

from assessments.quizzes.models import Attempt
from community_teams.models import SupportVisit
from courses.models import LessonProgress
from tests.conftest import PHONE_VIEWPORT

from .site import LEARNER_PHONE, MEMBER_PHONE, PASSWORD, serve_offline, site_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FOCUS_VISIBLE = """(el) => {
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shown = outline || style.boxShadow !== "none";
  return el === document.activeElement && el.matches(":focus-visible") && shown;
}"""
IS_FOCUSED = "(el) => el === document.activeElement"


def tab_to(page, locator, *, back: bool = False, limit: int = 150) -> None:
    """Press Tab (Shift+Tab with back) until `locator` has the focus; it must show it."""
    target = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if target.evaluate(IS_FOCUSED):
            assert target.evaluate(FOCUS_VISIBLE), f"no visible focus indicator on {locator}"
            return
    raise AssertionError(f"{'Shift+' if back else ''}Tab never reached {locator}")


def choose(page, label: str) -> None:
    """A radio button, as a keyboard user picks one: Tab into its group (one stop per
    group), then the arrow keys move the choice, Space confirms it."""
    option = page.get_by_label(label, exact=True)
    group = page.locator("fieldset", has=option).last
    for _ in range(150):
        page.keyboard.press("Tab")
        if group.evaluate("(g) => g.contains(document.activeElement)"):
            break
    else:
        raise AssertionError(f"Tab never reached the group of {label}")
    for _ in range(10):
        if option.evaluate(IS_FOCUSED):
            break
        page.keyboard.press("ArrowDown")
    assert option.evaluate(FOCUS_VISIBLE), f"no visible focus indicator on {label}"
    page.keyboard.press("Space")
    assert option.is_checked()


def _context(browser, **options):
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN", **options)
    context.set_default_timeout(20_000)
    serve_offline(context)
    return context


def _log_in(page, login: str) -> None:
    tab_to(page, page.get_by_label("E-mail hoặc số điện thoại"))
    page.keyboard.type(login)
    tab_to(page, page.get_by_label("Mật khẩu", exact=True))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_url(lambda address: "/accounts/login/" not in address)


def test_learner_flow_with_the_keyboard_alone(live_server, browser):
    site = site_build()
    url = live_server.url
    context = _context(browser)
    page = context.new_page()

    # The skip link comes first and takes the focus to the main content.
    page.goto(url + site["urls"]["catalogue"])
    tab_to(page, page.get_by_role("link", name="Bỏ qua, đến nội dung chính"), limit=1)

    # Log in from the header's link.
    tab_to(page, page.get_by_role("banner").get_by_role("link", name="Đăng nhập"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    _log_in(page, LEARNER_PHONE)
    assert page.get_by_role("banner").get_by_role("button", name="Đăng xuất").count() == 1

    # Open the course from the catalogue, then its first lesson.
    page.goto(url + site["urls"]["catalogue"])
    tab_to(page, page.get_by_role("main").get_by_role("link", name="Dùng VNeID an toàn").first)
    page.keyboard.press("Enter")
    page.wait_for_url(url + site["urls"]["course"])
    tab_to(page, page.get_by_role("main").get_by_role("link", name="Bắt đầu học").first)
    page.keyboard.press("Enter")
    page.wait_for_url(url + site["urls"]["lesson"])

    # Mark it done (Space on the button): the next lesson, with the quiz, opens.
    tab_to(page, page.get_by_role("button", name="Đánh dấu đã học xong"))
    page.keyboard.press("Space")
    page.wait_for_url(url + site["urls"]["quiz_lesson"])
    assert LessonProgress.objects.filter(learner=site["learner"], completed_at__isnull=False).count() == 1

    # Start the quiz, answer every question, submit.
    tab_to(page, page.locator("aside.quiz-slot").get_by_role("link", name="Làm bài"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Bắt đầu làm bài"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/danh-gia/bai-lam/*/")
    choose(page, "Không bao giờ")
    choose(page, "Đúng")
    tab_to(page, page.get_by_label("Nhập một số"))
    page.keyboard.type("6")
    # Shift+Tab goes back to the true/false question: its answer is still chosen.
    tab_to(page, page.get_by_label("Đúng", exact=True), back=True)
    assert page.get_by_label("Không bao giờ").is_checked()
    page.on("dialog", lambda dialog: dialog.accept())  # a confirmation, answered with Enter
    tab_to(page, page.get_by_role("button", name="Nộp bài"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/ket-qua/")
    attempt = Attempt.objects.get(learner=site["learner"])
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.percent == 100
    context.close()


def test_visit_app_with_the_keyboard_alone(live_server, browser):
    site = site_build()
    url = live_server.url
    context = _context(browser, service_workers="allow")
    page = context.new_page()
    page.goto(url + site["urls"]["visit_app"])
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    _log_in(page, MEMBER_PHONE)
    page.wait_for_url(url + site["urls"]["visit_app"])

    tab_to(page, page.get_by_role("button", name="Đăng nhập thiết bị này"))
    page.keyboard.press("Enter")
    page.get_by_text("Đã cập nhật danh sách: 3 hộ.").wait_for()

    tab_to(page, page.get_by_label("Hộ gia đình", exact=True))
    page.keyboard.type("ngoc anh")
    tab_to(page, page.get_by_role("radio", name=re.compile("Hộ bà Lê Thị Ngọc Ánh")))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("checkbox", name="Nữ · sinh 1990"))
    page.keyboard.press("Space")
    payment_box = page.get_by_role("checkbox", name="Mở tài khoản thanh toán", exact=True)
    payment = page.locator(".va-activity", has=payment_box)
    tab_to(page, payment.get_by_role("checkbox"))
    page.keyboard.press("Space")
    tab_to(page, payment.get_by_role("combobox"))
    page.keyboard.type("Nữ")  # a closed list picks the option typed
    tab_to(page, page.get_by_role("button", name="Lưu lượt thăm"))
    page.keyboard.press("Enter")
    page.get_by_text("Đã gửi 1 lượt thăm.").wait_for()
    visit = SupportVisit.objects.get(household__label="Hộ bà Lê Thị Ngọc Ánh")
    (activity,) = visit.activities.select_related("resident")
    assert activity.resident.birth_year == 1990
    context.close()
