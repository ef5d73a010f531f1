"""Personal data on request: export everything held about a person, erase a person with
every figure unchanged, consent records, retention of visit details, the notice."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from assessments.models import Evidence
from community_teams.models import Device, Resident, SupportVisit, VisitActivity
from community_teams.sync import visit_batch_sync
from courses import reports
from courses import services as course_services
from courses.certificates.models import Certificate
from courses.models import CourseCompletion, Enrolment, LessonProgress
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from lms.audit.models import AuditEvent
from lms.privacy import services
from lms.privacy.models import ConsentRecord, ErasureRequest
from tests.community_teams.conftest import device_a, household_a, make_household, member_a, place, visit_item  # noqa: F401
from tests.courses.builders import course_build, index_build, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def course(db):
    return course_build(index=index_build(), title="Dùng VNeID an toàn", slug="vneid", lessons_per_module=2)


def complete(course, learner):
    course_services.enrolment_create(learner=learner, course=course)
    for lesson in lessons_of(course):
        course_services.lesson_complete(learner=learner, lesson=lesson)


@pytest.fixture
def hoa(course):
    user = UserFactory(full_name="Trần Thị Hoa", email="hoa@example.test", phone="+84912000111")
    complete(course, user)
    return user


@pytest.fixture
def admin_user():
    user = UserFactory(username="quan-tri")
    role_assign(user=user, role=Role.PLATFORM_ADMIN)
    return user


def figures(course):
    report = reports.course_report_build(course=course)
    return {
        "report": (report.learners, report.active, report.current, report.not_started,
                   [(row.title, row.stopped) for row in report.lessons]),
        "enrolments": Enrolment.objects.count(),
        "progress": LessonProgress.objects.count(),
        "completions": CourseCompletion.objects.count(),
        "certificates": Certificate.objects.count(),
        "visits": SupportVisit.objects.count(),
        "activities": sorted(VisitActivity.objects.values_list("outcome", flat=True)),
        "evidence": Evidence.objects.count(),
    }


def test_export_holds_every_section_for_the_person_and_nobody_else(course, hoa):
    other = UserFactory(full_name="Lê Văn Nam", email="nam@example.test")
    complete(course, other)
    data = services.personal_data_export(user=hoa)
    body = json.dumps(data, ensure_ascii=False)
    sections = data["sections"]
    assert {"account", "courses", "assessments", "training", "community_teams"} <= set(sections)
    assert sections["account"]["data"]["account"]["email"] == "hoa@example.test"
    assert sections["account"]["data"]["account"]["phone"] == "+84912000111"
    assert [e["course"] for e in sections["courses"]["data"]["enrolments"]] == ["Dùng VNeID an toàn"]
    assert len(sections["courses"]["data"]["lesson_progress"]) == len(lessons_of(course))
    assert sections["courses"]["data"]["certificates"][0]["name_on_certificate"] == "Trần Thị Hoa"
    assert "nam@example.test" not in body and "Lê Văn Nam" not in body


def test_erasure_forgets_the_person_and_leaves_every_figure_unchanged(
    client, course, hoa, member_a, household_a, device_a  # noqa: F811
):
    household, residents = household_a
    # hoa is also a resident helped by the team, and member_a logs a visit with a note
    Resident.objects.filter(pk=residents[0].pk).update(learner=hoa)
    items = [visit_item(household, residents, note="Nhà bà Hoa")]
    visit_batch_sync(member=member_a, device=device_a[0], items=items)
    Evidence.objects.create(person=hoa, competence_id=_any_competence(), level=2, method="course",
                            date=timezone.localdate(), source_label="Khoá học")
    client.force_login(hoa)
    certificate = Certificate.objects.get(learner=hoa)
    before = figures(course)

    touched = services.user_anonymise(user=hoa)

    hoa.refresh_from_db()
    assert touched > 1 and hoa.anonymised_at is not None
    assert (hoa.full_name, hoa.email, hoa.phone, hoa.is_active) == ("", "", None, False)
    assert not hoa.has_usable_password()
    assert figures(course) == before
    assert not Resident.objects.filter(learner=hoa).exists()
    certificate.refresh_from_db()
    assert certificate.learner_name != "Trần Thị Hoa" and not certificate.pdf
    page = client.get(reverse("certificates:verify", args=[certificate.code]))
    assert "Trần Thị Hoa" not in page.content.decode()
    # the old session no longer signs her in
    assert client.get(reverse("privacy:my_data")).status_code == 302
    # a second erasure is harmless
    services.user_anonymise(user=hoa)
    assert figures(course) == before


def _any_competence():
    from assessments.loading import frameworks_load
    from assessments.models import Competence

    frameworks_load()
    return Competence.objects.order_by("pk").values_list("pk", flat=True).first()


def test_member_erasure_removes_devices_but_keeps_their_visits(member_a, household_a, device_a):  # noqa: F811
    household, residents = household_a
    visit_batch_sync(member=member_a, device=device_a[0], items=[visit_item(household, residents)])
    services.user_anonymise(user=member_a)
    assert not Device.objects.filter(user=member_a).exists()
    assert SupportVisit.objects.filter(member=member_a).count() == 1


def test_a_person_asks_and_an_administrator_decides_with_a_reason(client, course, hoa, admin_user):
    client.force_login(hoa)
    page = client.get(reverse("privacy:my_data"))
    assert page.status_code == 200 and "Tải dữ liệu của tôi" in page.content.decode()
    download = client.post(reverse("privacy:my_data"), {"action": "download"})
    assert download["Content-Disposition"].startswith("attachment;")
    exported = json.loads(download.content)["sections"]["account"]["data"]["account"]
    assert exported["email"] == "hoa@example.test"
    assert AuditEvent.objects.filter(actor_id=hoa.pk, action="pd_export", target_id=str(hoa.pk)).count() == 1
    # without the confirmation box nothing is asked
    client.post(reverse("privacy:my_data"), {"action": "erase"})
    assert not ErasureRequest.objects.exists()
    client.post(reverse("privacy:my_data"), {"action": "erase", "confirm": "yes", "reason": "Không dùng nữa"})
    erasure = ErasureRequest.objects.get(user=hoa)
    again = client.post(reverse("privacy:my_data"), {"action": "erase", "confirm": "yes"}, follow=True)
    assert "đang chờ" in again.content.decode() and ErasureRequest.objects.count() == 1
    # a learner cannot see or handle the queue
    assert client.get(reverse("privacy:requests")).status_code == 403
    assert client.post(reverse("privacy:request_handle", args=[erasure.pk]),
                       {"decision": "approve", "note": "x"}).status_code == 403
    client.force_login(admin_user)
    queue = client.get(reverse("privacy:requests"))
    assert queue.status_code == 200 and "Trần Thị Hoa" in queue.content.decode()
    handle = reverse("privacy:request_handle", args=[erasure.pk])
    no_note = client.post(handle, {"decision": "approve"}, follow=True)
    assert "bắt buộc" in no_note.content.decode()
    client.post(reverse("privacy:request_handle", args=[erasure.pk]),
                {"decision": "approve", "note": "Đúng người yêu cầu, đã xác minh qua điện thoại"})
    erasure.refresh_from_db()
    hoa.refresh_from_db()
    assert erasure.status == "done" and erasure.handled_by == admin_user and erasure.reason == ""
    assert hoa.anonymised_at is not None and hoa.email == ""
    assert "Trần Thị Hoa" not in client.get(reverse("privacy:requests") + "?status=done").content.decode()


def test_an_administrator_export_needs_a_purpose(client, hoa, admin_user):
    client.force_login(admin_user)
    url = reverse("privacy:person_export", args=[hoa.pk])
    assert client.post(url, {}).status_code == 302
    response = client.post(url, {"purpose": "Trả lời yêu cầu bằng văn bản"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(actor_id=admin_user.pk, action="pd_export")
    assert event.target_id == str(hoa.pk) and event.purpose == "Trả lời yêu cầu bằng văn bản"
    assert json.loads(response.content)["person_id"] == hoa.pk
    client.force_login(UserFactory())
    assert client.post(url, {"purpose": "tò mò"}).status_code == 403


def test_signing_up_records_consent_and_it_can_be_withdrawn(client):
    response = client.post(reverse("account_signup"), {
        "email": "moi@example.test", "phone": "", "password1": "Mat-khau-rat-dai-2026",
        "password2": "Mat-khau-rat-dai-2026", "full_name": "Người Mới",
    })
    assert response.status_code in (200, 302)
    user = User.objects.filter(email="moi@example.test").first()
    assert user is not None, response.content.decode()[:2000]
    consent = ConsentRecord.objects.get(user=user)
    assert consent.purpose == "account" and consent.withdrawn_at is None
    client.force_login(user)
    client.post(reverse("privacy:my_data"), {"action": "account", "withdraw": "1"})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None  # kept as history, not deleted


def test_retention_blanks_old_visit_details_and_keeps_what_indicators_count(
    member_a, household_a, device_a  # noqa: F811
):
    household, residents = household_a
    today = timezone.localdate()
    old_day = today - datetime.timedelta(days=800)
    recent_day = today - datetime.timedelta(days=10)
    # old visits come in late, in a closed month: kept and flagged, which is fine here
    items = [
        visit_item(household, residents, day=old_day, note="Cụ Ba dùng điện thoại của con",
                   code="install_vneid", outcome="not_possible"),
        visit_item(household, residents, day=recent_day, note="Hẹn tuần sau"),
    ]
    outcome = visit_batch_sync(member=member_a, device=device_a[0], items=items, today=today)
    assert SupportVisit.objects.count() == 2, outcome
    counted = sorted(SupportVisit.objects.values_list("visited_on", "household_id"))
    outcomes = sorted(VisitActivity.objects.values_list("visited_on", "outcome"))

    result = services.retention_apply()

    assert result["community_teams.visit_details"] == 2  # the old note and the old reason
    assert SupportVisit.objects.get(visited_on=old_day).note == ""
    assert VisitActivity.objects.get(visited_on=old_day).reason == ""
    assert SupportVisit.objects.get(visited_on=recent_day).note == "Hẹn tuần sau"
    assert sorted(SupportVisit.objects.values_list("visited_on", "household_id")) == counted
    assert sorted(VisitActivity.objects.values_list("visited_on", "outcome")) == outcomes
    assert services.retention_apply()["community_teams.visit_details"] == 0


def test_the_notice_is_public_and_in_vietnamese(client):
    page = client.get(reverse("privacy:notice"))
    text = page.content.decode()
    assert page.status_code == 200 and 'lang="vi"' in text
    assert "Luật số 91/2025/QH15" in text and "Quyền của bạn" in text
