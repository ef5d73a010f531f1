"""Staff report, bulk enrolment and the home page block in Chromium at 360 px, with screenshots."""

import pytest
from django.conf import settings
from django.test import Client

from courses import services
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from tests.courses.builders import course_build, index_build, lessons_of
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _login(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_staff_pages_at_360px(browser_page, live_server, screenshot_dir, tmp_path):
    index = index_build()
    course = course_build(index=index, title="Nhận diện lừa đảo trực tuyến", slug="lua-dao", modules=2,
                          lessons_per_module=3)
    lessons = lessons_of(course)
    for n in range(12):
        learner = UserFactory(username=f"hv{n}", email=f"hv{n}@example.test")
        services.enrolment_create(learner=learner, course=course)
        for lesson in lessons[: n % 7]:
            services.lesson_complete(learner=learner, lesson=lesson, seconds=240)
    editor = UserFactory(username="bientap", full_name="Trần Văn Bình")
    role_assign(user=editor, role=Role.CONTENT_EDITOR)
    page = browser_page
    _login(page, live_server, editor)

    page.goto(live_server.url + f"/hoc-tap/quan-ly/khoa-hoc/{course.pk}/bao-cao/")
    assert page.locator("h1").inner_text().startswith("Báo cáo")
    assert page.locator(".dropoff li").count() == 6
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways page scroll
    page.screenshot(path=str(screenshot_dir / "courses-staff-report.png"), full_page=True)

    page.goto(live_server.url + f"/hoc-tap/quan-ly/khoa-hoc/{course.pk}/dang-ky-hang-loat/")
    page.screenshot(path=str(screenshot_dir / "courses-staff-bulk-upload.png"), full_page=True)
    csv_file = tmp_path / "danh-sach.csv"
    csv_file.write_text("email\nhv1@example.test\nmoi@example.test\nsai-email\n", encoding="utf-8-sig")
    UserFactory(username="moi", email="moi@example.test")
    page.set_input_files("input[type=file]", str(csv_file))
    page.get_by_role("button", name="Xem trước").click()
    assert "Không có người dùng này" not in page.content()
    assert page.get_by_role("button", name="Xác nhận đăng ký 1 người học").is_visible()
    page.screenshot(path=str(screenshot_dir / "courses-staff-bulk-preview.png"), full_page=True)
    page.get_by_role("button", name="Xác nhận đăng ký 1 người học").click()
    assert page.locator("h2", has_text="Kết quả").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(screenshot_dir / "courses-staff-bulk-result.png"), full_page=True)

    # the new learner sees "Tiếp tục học" on the home page
    page.context.clear_cookies()
    _login(page, live_server, UserFactory(username="moi"))
    page.goto(live_server.url + "/")
    assert page.locator(".continue-learning").is_visible()
    page.screenshot(path=str(screenshot_dir / "courses-home-continue.png"), full_page=True)
