"""Catalogue, course, lesson and dashboard in Chromium at 360 px, with screenshots."""

import pytest
from django.conf import settings
from django.test import Client

from courses.services import enrolment_create, lesson_complete
from tests.courses.builders import course_build, lessons_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_learner_journey_at_360px(browser_page, live_server, screenshot_dir, learner):
    from tests.courses.builders import index_build

    index = index_build()
    course = course_build(
        index=index,
        title="Thanh toán không dùng tiền mặt",
        slug="thanh-toan",
        topic="cashless_payment",
        modules=2,
        lessons_per_module=2,
    )
    course_build(index=index, title="Tài khoản VNeID mức 2", slug="vneid")
    enrolment_create(learner=learner, course=course)
    lesson_complete(learner=learner, lesson=lessons_of(course)[0])
    page = browser_page
    page.goto(live_server.url + index.url + "?q=thanh+toan")
    assert page.locator(".card__title").count() == 1
    page.screenshot(path=str(screenshot_dir / "courses-catalogue.png"), full_page=True)
    # Signing in is the accounts app's flow (tested there): reuse a session here.
    client = Client()
    client.force_login(learner)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    page.goto(live_server.url + course.url)
    page.screenshot(path=str(screenshot_dir / "courses-course.png"), full_page=True)
    page.get_by_role("link", name="Tiếp tục học").click()
    page.get_by_role("button", name="Đánh dấu đã học xong").click()
    page.wait_for_load_state()
    assert "Đã học 50%" in page.content()
    page.screenshot(path=str(screenshot_dir / "courses-lesson.png"), full_page=True)
    page.goto(live_server.url + "/hoc-tap/")
    assert "Tiếp tục chỗ bạn đã dừng" in page.content()
    page.screenshot(path=str(screenshot_dir / "courses-dashboard.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
