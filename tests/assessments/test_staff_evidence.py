"""Staff record "recognised by staff" evidence and correct records: who may, for whom
(content editors and platform administrators for anyone; training managers for the
people of their agency subtree), corrections supersede and never overwrite, and the
profile shows who recorded what."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.loading import frameworks_load
from assessments.models import Competence, Evidence
from assessments.selectors import competence_levels, evidence_people_for_staff, evidence_staff_may_record
from assessments.services import evidence_correct, evidence_recognise, evidence_record
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from tests.factories import UserFactory, make_agency

pytestmark = pytest.mark.django_db
C = "digcomp-2.2:4.2"


@pytest.fixture(autouse=True)
def loaded():
    frameworks_load()


@pytest.fixture
def agencies():
    """A province department with a sub-agency, and an unrelated department."""
    department = make_agency("Sở Thông tin và Truyền thông")
    centre = make_agency("Trung tâm Chuyển đổi số", parent=department)
    other = make_agency("Sở Y tế")
    return department, centre, other


@pytest.fixture
def people(agencies):
    department, centre, other = agencies
    manager = UserFactory(full_name="Trần Quản Lý")
    role_assign(user=manager, role=Role.TRAINING_MANAGER, agency=department)
    inside = UserFactory(full_name="Lê Văn Trong")
    role_assign(user=inside, role=Role.CIVIL_SERVANT, agency=centre)
    outside = UserFactory(full_name="Phạm Thị Ngoài")
    role_assign(user=outside, role=Role.CIVIL_SERVANT, agency=other)
    citizen = UserFactory(full_name="Nguyễn Văn Dân")
    editor = UserFactory(full_name="Đỗ Biên Tập")
    role_assign(user=editor, role=Role.CONTENT_EDITOR)
    admin = UserFactory(full_name="Hoàng Quản Trị")
    role_assign(user=admin, role=Role.PLATFORM_ADMIN)
    clerk = UserFactory(full_name="Vũ Công Chức")
    role_assign(user=clerk, role=Role.CIVIL_SERVANT, agency=department)
    return {"manager": manager, "inside": inside, "outside": outside, "citizen": citizen,
            "editor": editor, "admin": admin, "clerk": clerk}


# --- Who may record for whom -----------------------------------------------------------------


def test_training_manager_scope_is_the_agency_subtree(people):
    manager = people["manager"]
    seen = set(evidence_people_for_staff(staff=manager))
    assert people["inside"] in seen and people["clerk"] in seen
    assert people["outside"] not in seen and people["citizen"] not in seen
    assert evidence_staff_may_record(staff=manager, person=people["inside"])
    assert not evidence_staff_may_record(staff=manager, person=people["outside"])


@pytest.mark.parametrize("who", ["editor", "admin"])
def test_editors_and_administrators_may_record_for_anyone(people, who):
    staff = people[who]
    for person in ("inside", "outside", "citizen"):
        assert evidence_staff_may_record(staff=staff, person=people[person])
    record = evidence_recognise(staff=staff, person=people["citizen"], competence_code=C, level=5,
                                note="Đã tự cài VNeID và hướng dẫn hàng xóm.")
    assert record.method == Evidence.Method.RECOGNISED_BY_STAFF
    assert (record.recorded_by, record.level) == (staff, 5)


def test_training_manager_records_inside_and_is_refused_outside(people):
    manager = people["manager"]
    record = evidence_recognise(
        staff=manager, person=people["inside"], competence_code=C, level=4,
        date=timezone.localdate() - dt.timedelta(days=3), url="https://example.test/bien-ban/12",
    )
    assert record.url == "https://example.test/bien-ban/12" and record.source_type == "assessments.staff"
    with pytest.raises(PermissionDenied):
        evidence_recognise(staff=manager, person=people["outside"], competence_code=C, level=4)
    with pytest.raises(PermissionDenied):
        evidence_recognise(staff=manager, person=people["citizen"], competence_code=C, level=4)
    assert Evidence.objects.filter(person__in=[people["outside"], people["citizen"]]).count() == 0


def test_an_expired_manager_role_gives_no_scope(people, agencies):
    late = UserFactory()
    role_assign(user=late, role=Role.TRAINING_MANAGER, agency=agencies[0],
                valid_from=timezone.localdate() - dt.timedelta(days=30),
                valid_to=timezone.localdate() - dt.timedelta(days=1))
    assert not evidence_staff_may_record(staff=late, person=people["inside"])


@pytest.mark.parametrize("who", ["clerk", "citizen"])
def test_civil_servants_and_learners_may_not_record(people, who):
    with pytest.raises(PermissionDenied):
        evidence_recognise(staff=people[who], person=people["inside"], competence_code=C, level=3)


def test_nobody_records_for_themselves(people):
    with pytest.raises(PermissionDenied):
        evidence_recognise(staff=people["editor"], person=people["editor"], competence_code=C, level=8)
    assert people["editor"] not in set(evidence_people_for_staff(staff=people["editor"]))


# --- Corrections: a new record that supersedes ---------------------------------------------


def test_a_correction_supersedes_and_never_overwrites(people):
    learner = people["inside"]
    quiz = evidence_record(person=learner, competence_code=C, level=6, method="quiz",
                           source_type="quizzes.attempt", source_id=7, source_label="Kiểm tra — lần 1")
    fixed = evidence_correct(staff=people["manager"], evidence=quiz, level=3,
                             note="Câu hỏi gắn nhầm năng lực 4.2.")
    quiz.refresh_from_db()
    assert (quiz.level, quiz.method, quiz.source_label) == (6, "quiz", "Kiểm tra — lần 1")  # untouched
    assert fixed.supersedes == quiz and fixed.method == Evidence.Method.RECOGNISED_BY_STAFF
    assert fixed.recorded_by == people["manager"] and fixed.competence_id == quiz.competence_id
    competence = Competence.objects.get(framework__code="digcomp-2.2", code="4.2")
    derived = competence_levels(person=learner, competences=[competence])[competence.pk]
    assert derived.level == 3 and derived.superseded == [quiz] and derived.decisive == [fixed]
    # Correcting the same record again is refused: correct the latest version.
    with pytest.raises(ValidationError):
        evidence_correct(staff=people["editor"], evidence=quiz, level=2, note="Lần nữa.")
    again = evidence_correct(staff=people["editor"], evidence=fixed, level=4, note="Đã kiểm tra lại.")
    assert competence_levels(person=learner, competences=[competence])[competence.pk].level == 4
    assert Evidence.objects.filter(person=learner).count() == 3 and again.supersedes == fixed


def test_a_correction_needs_a_reason_and_the_scope(people):
    record = evidence_record(person=people["outside"], competence_code=C, level=5, method="quiz")
    with pytest.raises(ValidationError):
        evidence_correct(staff=people["editor"], evidence=record, level=2, note="  ")
    with pytest.raises(PermissionDenied):
        evidence_correct(staff=people["manager"], evidence=record, level=2, note="Sai.")
    assert not record.corrections.exists()


# --- Pages ---------------------------------------------------------------------------------


def test_staff_pages_refuse_people_without_a_staff_role(client, people):
    client.force_login(people["clerk"])
    assert client.get(reverse("assessments:staff_evidence_people")).status_code == 403
    person_url = reverse("assessments:staff_evidence_person", args=[people["inside"].pk])
    assert client.get(person_url).status_code == 403


def test_manager_finds_only_people_in_scope_and_out_of_scope_is_404(client, people):
    client.force_login(people["manager"])
    html = client.get(reverse("assessments:staff_evidence_people")).content.decode()
    assert "Lê Văn Trong" in html and "Phạm Thị Ngoài" not in html and "Nguyễn Văn Dân" not in html
    html = client.get(reverse("assessments:staff_evidence_people"), {"q": "trong"}).content.decode()
    assert "Lê Văn Trong" in html and "Vũ Công Chức" not in html
    html = client.get(reverse("assessments:staff_evidence_people"), {"q": "Ngoài"}).content.decode()
    assert "Không có ai khớp" in html
    outside_url = reverse("assessments:staff_evidence_person", args=[people["outside"].pk])
    assert client.get(outside_url).status_code == 404


def test_record_then_correct_through_the_pages_and_see_it_on_the_profile(client, people):
    learner, manager = people["inside"], people["manager"]
    competence = Competence.objects.get(framework__code="digcomp-2.2", code="4.2")
    client.force_login(manager)
    url = reverse("assessments:staff_evidence_person", args=[learner.pk])
    today = timezone.localdate().isoformat()
    bad = client.post(url, {"competence": competence.pk, "level": 9, "date": today})
    assert bad.status_code == 400 and Evidence.objects.filter(person=learner).count() == 0
    response = client.post(url, {
        "competence": competence.pk, "level": 5, "date": timezone.localdate().isoformat(),
        "note": "Hướng dẫn được đồng nghiệp bật xác thực hai lớp.", "url": "https://example.test/bien-ban/3",
    })
    assert response.status_code == 302
    record = Evidence.objects.get(person=learner)
    html = client.get(url).content.decode()
    assert "Cán bộ công nhận" in html and "Ghi nhận bởi Trần Quản Lý" in html and "Sửa minh chứng này" in html

    fix_url = reverse("assessments:staff_evidence_correct", args=[record.pk])
    assert client.post(fix_url, {"level": 3, "date": today, "note": ""}).status_code == 400
    response = client.post(fix_url, {"level": 3, "date": timezone.localdate().isoformat(),
                                     "note": "Chỉ làm được khi có hướng dẫn."})
    assert response.status_code == 302
    assert Evidence.objects.filter(person=learner).count() == 2
    html = client.get(fix_url).content.decode()
    assert "đã được sửa; hãy sửa bản mới nhất" in html

    # The learner's profile: level 3 from the correction, who recorded it, the old one kept.
    client.force_login(learner)
    html = client.get(reverse("assessments:profile")).content.decode()
    section = html[html.index('id="vi-sao-digcomp-22-42"'):]
    section = section[: section.index("</details>")]
    assert "bậc 3 — vì sao?" in section and "ghi nhận bởi Trần Quản Lý" in section
    assert "Minh chứng đã được sửa (không tính):" in section and "https://example.test/bien-ban/3" in section


def test_staff_person_page_query_count(client, people, django_assert_max_num_queries):
    for level in range(1, 6):
        evidence_recognise(staff=people["editor"], person=people["inside"], competence_code=C, level=level)
    client.force_login(people["editor"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assessments:staff_evidence_person", args=[people["inside"].pk]))
    assert response.status_code == 200
