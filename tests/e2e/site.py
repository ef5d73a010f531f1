"""One small site with a main page for every role, for the browser checks of the
Content-Security-Policy, accessibility and keyboard use (tests/e2e/test_csp.py,
test_accessibility.py, test_keyboard.py). Built with the builders and services the other
tests use, in about a second or two; each test module builds it once.

Roles and their pages:
  anonymous       home, catalogue, course, certificate verification, login
  learner         learner dashboard, lesson (every content block), quiz attempt
  civil servant   my training
  training manager  compliance dashboard
  province officer  indicator dashboard
  team member     visit app (with three households in the village)
"""

import datetime
import io
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from assessments.quizzes.services import category_create, quiz_create
from community_teams.catalogue import activity_catalogue_sync
from community_teams.models import Activity
from community_teams.services import team_create
from courses.compliance.services import rollups_rebuild as compliance_rebuild
from courses.models import LessonPage
from courses.services import enrolment_create
from courses.training.services import plan_create
from lms.accounts.models import Role
from lms.accounts.services import role_assign, user_phone_set
from tests.assessments.quizzes.builders import one_of_each
from tests.content.builders import every_block_body, home_build
from tests.courses.builders import course_build, index_build, lessons_of
from tests.courses.certificates.conftest import complete_course
from tests.factories import UserFactory, make_agency, make_commune, make_province, make_village
from tests.indicators.conftest import make_household, sync, visit
from tests.training.conftest import staff

QUIZ_TITLE = "Kiểm tra: an toàn khi dùng dịch vụ số"
PASSWORD = "mật-khẩu-thử-123"  # UserFactory's
LEARNER_PHONE = "0912 345 679"
MEMBER_PHONE = "0912 345 678"
TODAY = datetime.date(2026, 11, 20)


def _learning(home):
    index = index_build(home)
    category = category_create(name="An toàn số")
    bank = one_of_each(category)
    quiz = quiz_create(
        title=QUIZ_TITLE,
        questions=[bank["single"], bank["truefalse"], bank["numeric"]],
        pass_mark_percent=Decimal("50"),
    )
    course = course_build(index=index, lessons_per_module=2)
    first, last = lessons_of(course)
    # The first lesson holds one of every content block (image, videos, embed, document…).
    first.body = every_block_body()
    first.save_revision().publish()
    last.body = [
        {"type": "paragraph", "value": "<p>Ôn lại: mã OTP là bí mật, không đọc cho ai.</p>"},
        {"type": "quiz", "value": {"quiz_id": quiz.pk, "title": ""}},
    ]
    last.save_revision().publish()
    learner = UserFactory(username="hoc-vien", full_name="Nguyễn Thị Ánh")
    user_phone_set(user=learner, phone=LEARNER_PHONE, verified=True)
    enrolment_create(learner=learner, course=course)
    # A second course, completed by someone else: the certificate to verify.
    short = course_build(
        index=index, title="Nhận diện lừa đảo trực tuyến", slug="lua-dao", lessons_per_module=1
    )
    graduate = UserFactory(username="tot-nghiep", full_name="Trần Văn Đức")
    certificate = complete_course(learner=graduate, course=short)
    return {
        "index": index,
        "course": course,
        "lessons": [LessonPage.objects.get(pk=first.pk), LessonPage.objects.get(pk=last.pk)],
        "quiz": quiz,
        "bank": bank,
        "learner": learner,
        "certificate": certificate,
    }


def _training(course):
    today = datetime.date.today()
    so = make_agency("Sở Nội vụ Tỉnh Thử", code="E2E-SO")
    division = make_agency("Phòng Chuyển đổi số", parent=so, code="E2E-A")
    since = today.replace(month=1, day=1)
    servant = staff(division, username="cong-chuc", full_name="Lê Thị Hồng Nhung", valid_from=since)
    for i in range(3):
        staff(division, username=f"cong-chuc-{i}", full_name=f"Phạm Văn Thử {i}", valid_from=since)
    plan_create(
        name="Bồi dưỡng kỹ năng số năm nay",
        year=today.year,
        agency=so,
        deadline=today + datetime.timedelta(days=20),
        courses=[course],
    )
    manager = UserFactory(username="quan-ly", full_name="Quản Lý Sở")
    role_assign(user=manager, role=Role.TRAINING_MANAGER, agency=so, valid_from=datetime.date(2020, 1, 1))
    compliance_rebuild()
    return {"agency": so, "servant": servant, "manager": manager, "year": today.year}


def _teams():
    activity_catalogue_sync(model=Activity)
    from community_teams.indicators.models import IndicatorDefinition, Target
    from community_teams.indicators.services import indicators_load, national_targets_load
    from community_teams.indicators.services import rollups_rebuild as indicators_rebuild

    if not Activity.objects.exists():
        call_command("load_activities", stdout=io.StringIO())
    if not IndicatorDefinition.objects.exists() or not Target.objects.filter(unit__isnull=True).exists():
        indicators_load()
        national_targets_load()
    since = datetime.date(2025, 1, 1)
    province = make_province("Tỉnh Thái Nguyên Thử")
    commune = make_commune(province, "Xã Phú Đình")
    village = make_village(commune, "Thôn Đồng Hoàng")
    admin = UserFactory(username="quan-tri-to", is_superuser=True)
    team_create(by=admin, village=village, name="Tổ Thôn Đồng Hoàng", decision_number="", decision_date=None)
    member = UserFactory(username="to-vien", full_name="Nguyễn Thị Hằng")
    user_phone_set(user=member, phone=MEMBER_PHONE, verified=True)
    role_assign(user=member, role=Role.TEAM_MEMBER, unit=village, valid_from=since)
    households = [
        make_household(by=member, village=village, label=label, years=years)
        for label, years in (
            ("Hộ ông Đặng Văn Hùng", (1968, 1971)),
            ("Hộ bà Lê Thị Ngọc Ánh", (1990,)),
            ("Hộ ông Vũ Đức Thắng", (1955,)),
        )
    ]
    (h, people) = households[0]
    sync(member, [visit(h, people, day=datetime.date(2026, 10, 3), acts=[("install_vneid", "done", 0)])])
    officer = UserFactory(username="can-bo-tinh", full_name="Hoàng Văn Tỉnh")
    role_assign(user=officer, role=Role.PROVINCE_OFFICER, unit=province, valid_from=since)
    indicators_rebuild(today=TODAY)
    return {"province": province, "village": village, "member": member, "officer": officer, "household": h}


def site_build() -> dict:
    """Build the site; returns the people and the URLs of each role's main pages."""
    settings.INDICATORS_FIRST_MONTH = "2026-01"
    cache.clear()
    home = home_build()
    learning = _learning(home)
    training = _training(learning["course"])
    teams = _teams()
    return {
        **learning,
        **training,
        **teams,
        "home": home,
        "urls": {
            "home": "/",
            "catalogue": learning["index"].url,
            "course": learning["course"].url,
            "lesson": learning["lessons"][0].url,
            "quiz_lesson": learning["lessons"][1].url,
            "certificate": f"/chung-chi/{learning['certificate'].code}/",
            "login": "/accounts/login/",
            "dashboard": "/hoc-tap/",
            "my_training": "/boi-duong/cua-toi/",
            "compliance": f"/boi-duong/tuan-thu/co-quan/{training['agency'].pk}/?nam={training['year']}",
            "indicators": f"/chi-so/don-vi/{teams['province'].pk}/?chi-so=digital_identity&ky=2026-10",
            "visit_app": "/to-cong-nghe-so/ung-dung/",
            "visit_form": f"/to-cong-nghe-so/ho/{teams['household'].pk}/tham/",
        },
    }


def log_in(context, live_server, user) -> None:
    """A session cookie for `user` (the login form itself is driven in the flows)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def serve_offline(context) -> None:
    """Uploaded files from MEDIA_ROOT (the live server does not serve /media/), and the
    embedded video player as an empty page (no network in CI)."""

    def media(route):
        path = Path(settings.MEDIA_ROOT) / route.request.url.split("/media/", 1)[1].split("?")[0]
        if path.is_file():
            route.fulfill(path=str(path))
        else:
            route.fulfill(status=404, body="")

    context.route("**/media/**", media)
    context.route(
        "https://www.youtube.com/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<!DOCTYPE html><title>Video</title>"
        ),
    )
