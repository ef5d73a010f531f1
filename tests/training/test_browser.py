"""My required training and a manager's plan page in Chromium at 360 px, with screenshots."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from courses.training.models import PlanAssignment
from courses.training.services import assignment_extend, plan_create
from tests.training.conftest import course_complete, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _login(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_my_training_and_plan_pages_at_360px(
    browser_page, live_server, screenshot_dir, tree, courses, target, positions, manager
):
    today = timezone.localdate()
    person = staff(tree["a"], full_name="Nguyễn Thị Hồng Nhung", position=positions["cv"])
    for i in range(12):
        staff(tree["b"], full_name=f"Trần Văn Thử {i}")
    plan = plan_create(
        name="Bồi dưỡng kỹ năng số năm nay",
        year=today.year,
        agency=tree["so"],
        deadline=today + datetime.timedelta(days=20),
        courses=[courses["c1"], courses["c2"]],
        competence_levels={"digcomp-2.2:4.2": 3},
    )
    course_complete(courses["c1"], person)
    assignment_extend(
        assignment=PlanAssignment.objects.filter(plan=plan).exclude(user=person).first(),
        until=today + datetime.timedelta(days=40),
        reason="Ốm",
        by=manager,
    )
    page = browser_page
    _login(page, live_server, person)
    page.goto(live_server.url + "/boi-duong/cua-toi/")
    content = page.content()
    assert "Bồi dưỡng kỹ năng số năm nay" in content and "Đã xong" in content
    page.screenshot(path=str(screenshot_dir / "training-my-training.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.context.clear_cookies()
    _login(page, live_server, manager)
    page.goto(live_server.url + f"/boi-duong/quan-ly/ke-hoach/{plan.pk}/")
    assert "Nguyễn Thị Hồng Nhung" in page.content()
    page.screenshot(path=str(screenshot_dir / "training-plan.png"), full_page=True)
    page.goto(live_server.url + "/boi-duong/quan-ly/nhan-su/nhap/")
    page.screenshot(path=str(screenshot_dir / "training-import.png"), full_page=True)
    assert page.evaluate("document.body.scrollWidth <= window.innerWidth + 1")
