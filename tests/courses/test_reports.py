"""Staff course report: figures on a known dataset, fixed query count, exports, access."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from courses import reports, services
from courses.models import Enrolment, LessonProgress
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from lms.core.spreadsheets import export_cell
from tests.courses.builders import course_build, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def four_lessons(index):
    return course_build(index=index, title="Thanh toán số", slug="thanh-toan-so", modules=2,
                        lessons_per_module=2)


def _enrol(course, **user):
    learner = UserFactory(**user)
    services.enrolment_create(learner=learner, course=course)
    return learner


@pytest.fixture
def dataset(four_lessons):
    """A: finished; B: lessons 1-2; C: lesson 1 done, opened lesson 3; D: nothing;
    E: did lesson 1 then unenrolled; F: lesson 1."""
    course = four_lessons
    lessons = lessons_of(course)
    people = {name: _enrol(course, username=f"learner-{name}") for name in "ABCDEF"}
    for lesson in lessons:
        services.lesson_complete(learner=people["A"], lesson=lesson, seconds=100)
    for lesson in lessons[:2]:
        services.lesson_complete(learner=people["B"], lesson=lesson, seconds=60)
    services.lesson_complete(learner=people["C"], lesson=lessons[0], seconds=30)
    services.lesson_visit(learner=people["C"], lesson=lessons[2], course_id=course.pk)
    services.lesson_complete(learner=people["E"], lesson=lessons[0], seconds=1000)
    services.enrolment_cancel(learner=people["E"], course=course)
    services.lesson_complete(learner=people["F"], lesson=lessons[0], seconds=30)
    return course, people


def test_report_figures_on_a_known_dataset(dataset):
    course, _people = dataset
    report = reports.course_report_build(course=course)
    assert (report.learners, report.current, report.active) == (6, 5, 4)
    assert (report.completions, report.unenrolled, report.not_started) == (1, 1, 1)
    assert report.completion_rate == 17  # 1 of 6
    assert report.seconds_total == 400 + 120 + 30 + 30  # the unenrolled learner is left out
    assert report.average_seconds == 116 and report.average_minutes == 2
    assert [row.title for row in report.lessons] == ["Bài 1", "Bài 2", "Bài 3", "Bài 4"]
    assert [row.module_title for row in report.lessons] == ["Chương 1", "Chương 1", "Chương 2", "Chương 2"]
    assert [row.stopped for row in report.lessons] == [1, 1, 1, 0]  # F, B, C (opened lesson 3)
    assert [row.reached for row in report.lessons] == [4, 3, 2, 1]
    assert [row.completed for row in report.lessons] == [5, 2, 1, 1]  # E's lesson 1 still counts
    assert [row.stopped_percent for row in report.lessons] == [25, 33, 50, 0]


def test_report_on_an_empty_course(four_lessons):
    report = reports.course_report_build(course=four_lessons)
    assert report.learners == 0 and report.completion_rate == 0 and report.average_seconds == 0
    assert [row.reached for row in report.lessons] == [0, 0, 0, 0]


def _bulk_learners(course, n, start):
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"bulk-{start + i}", email=f"bulk{start + i}@example.test") for i in range(n)]
    )
    lessons = lessons_of(course)
    now = timezone.now()
    Enrolment.objects.bulk_create(
        [Enrolment(learner=u, course=course, status="completed" if i % 5 == 0 else "active",
                   last_lesson=lessons[i % len(lessons)], last_visited_at=now)
         for i, u in enumerate(users)]
    )
    LessonProgress.objects.bulk_create(
        [LessonProgress(learner=u, lesson=lessons[j], course=course, completed_at=now, seconds_spent=60)
         for i, u in enumerate(users) for j in range(i % len(lessons))]
    )


def test_report_query_count_does_not_grow_with_enrolments(four_lessons, django_assert_num_queries):
    course = four_lessons
    _bulk_learners(course, 3, 0)
    reports.course_report_build(course=course)  # the course structure is now cached
    with django_assert_num_queries(6) as small:
        reports.course_report_build(course=course)
    _bulk_learners(course, 400, 100)
    with django_assert_num_queries(6) as big:
        report = reports.course_report_build(course=course)
    assert len(small.captured_queries) == len(big.captured_queries)
    assert report.current == 403
    # every active learner is counted once: stopped somewhere or not started
    assert sum(row.stopped for row in report.lessons) + report.not_started == report.active


def test_formula_injection_guard():
    assert export_cell("=SUM(A1)") == "'=SUM(A1)"
    assert export_cell("+84 912") == "'+84 912"
    assert export_cell("-1") == "'-1"
    assert export_cell("@cmd") == "'@cmd"
    assert export_cell("Bài 1") == "Bài 1"
    assert export_cell(-3) == -3


@pytest.fixture
def hostile_course(dataset):
    course, _people = dataset
    lesson = lessons_of(course)[1]
    lesson.title = "=HYPERLINK(\"http://evil.example\",\"bấm\")"
    lesson.save_revision().publish()
    return course


def test_csv_export(hostile_course):
    data = reports.report_csv(report=reports.course_report_build(course=hostile_course))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Khoá học", "Thanh toán số"]
    assert ["Hoàn thành", "1"] in rows
    lesson_rows = rows[10:]
    assert lesson_rows[0] == ["1", "Chương 1", "Bài 1", "Có", "4", "5", "1", "25"]
    assert lesson_rows[1][2] == "'=HYPERLINK(\"http://evil.example\",\"bấm\")"


def test_xlsx_export(hostile_course):
    data = reports.report_xlsx(report=reports.course_report_build(course=hostile_course))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "Khoá học" and sheet["B1"].value == "Thanh toán số"
    assert sheet["B5"].value == 1  # completions, as a number
    cell = sheet["C12"]
    assert cell.value == "'=HYPERLINK(\"http://evil.example\",\"bấm\")" and cell.data_type == "s"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


# --- The page and its permissions -------------------------------------------------------------


def test_report_page_needs_staff(client, four_lessons, learner):
    url = reverse("courses:staff_report", args=[four_lessons.pk])
    response = client.get(url)
    assert response.status_code == 302 and "next=" in response["Location"]
    client.force_login(learner)
    assert client.get(url).status_code == 403
    assert client.get(reverse("courses:staff_report_csv", args=[four_lessons.pk])).status_code == 403


@pytest.mark.parametrize("role", [Role.CONTENT_EDITOR, Role.PLATFORM_ADMIN])
def test_report_page_for_editors_and_admins(client, dataset, role):
    course, _people = dataset
    editor = UserFactory(username=f"staff-{role}")
    role_assign(user=editor, role=role)
    client.force_login(editor)
    response = client.get(reverse("courses:staff_report", args=[course.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Báo cáo: Thanh toán số" in html and "17%" in html
    assert 'class="dropoff"' in html and "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    csv_response = client.get(reverse("courses:staff_report_csv", args=[course.pk]))
    assert csv_response["Content-Type"].startswith("text/csv")
    assert f'bao-cao-khoa-hoc-{course.pk}.csv' in csv_response["Content-Disposition"]
    xlsx = client.get(reverse("courses:staff_report_xlsx", args=[course.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_report_page_is_staff_for_django_staff_and_404_for_unknown_course(client):
    staff = UserFactory(username="django-staff", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("courses:staff_report", args=[999999])).status_code == 404
    assert client.get(reverse("courses:staff_courses")).status_code == 200


def test_user_can_manage_courses_roles(db):
    plain = UserFactory(username="plain")
    assert not reports.user_can_manage_courses(user=plain)
    role_assign(user=plain, role=Role.LEARNER)
    assert not reports.user_can_manage_courses(user=plain)
    editor = UserFactory(username="editor")
    role_assign(user=editor, role=Role.CONTENT_EDITOR)
    assert reports.user_can_manage_courses(user=editor)
