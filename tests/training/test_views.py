"""Manager pages: scope on every view (not a manager: 403; outside their agencies: 404
or absent), the staff import (preview, row report, all or nothing, invitations once),
and the civil servant's page (content, query budget)."""

import datetime
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from courses.training.models import Employment, PlanAssignment, Position, StaffInvitation, TrainingPlan
from courses.training.services import plan_create, position_create
from lms.accounts.models import User
from lms.jobs.models import OutboxJob
from tests.factories import UserFactory
from tests.training.conftest import course_complete, staff

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _plan(agency, courses, **kw):
    return plan_create(
        name=kw.pop("name", "Kế hoạch"),
        year=TODAY().year,
        agency=agency,
        deadline=TODAY() + datetime.timedelta(days=20),
        courses=[courses["c1"]],
        **kw,
    )


@pytest.fixture
def world(tree, courses, manager, division_manager, positions):
    mine = staff(tree["a"], full_name="Người Phòng A", email="a@example.test", position=positions["cv"])
    other_b = staff(tree["b"], full_name="Người Phòng B", email="b@example.test")
    outsider = staff(tree["other_div"], full_name="Người Sở Khác", email="x@example.test")
    plan = _plan(tree["so"], courses, name="Kế hoạch Sở")
    other_plan = _plan(tree["other"], courses, name="Kế hoạch Sở Khác")
    foreign_position = position_create(agency=tree["other"], code="cv", name="Chuyên viên Sở Khác")
    return {
        "mine": mine,
        "b": other_b,
        "outsider": outsider,
        "plan": plan,
        "other_plan": other_plan,
        "foreign_position": foreign_position,
    }


MANAGER_PAGES = [
    "training:manage",
    "training:staff",
    "training:staff_import",
    "training:positions",
    "training:plans",
    "training:plan_new",
    "training:session_new",
]


@pytest.mark.parametrize("name", MANAGER_PAGES)
def test_manager_pages_refuse_non_managers(client, world, name):
    assert client.get(reverse(name)).status_code == 302  # visitors: to the login page
    client.force_login(world["mine"])  # a civil servant, not a manager
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", MANAGER_PAGES)
def test_manager_pages_render_for_managers(client, world, manager, name):
    client.force_login(manager)
    assert client.get(reverse(name)).status_code == 200


def test_manager_pages_lead_to_the_dashboard_and_staff_evidence(client, world, manager):
    client.force_login(manager)
    html = client.get(reverse("training:manage")).content.decode()
    for target in (reverse("compliance:home"), reverse("assessments:staff_evidence_people")):
        assert f'href="{target}"' in html
        assert client.get(target).status_code in (200, 302)  # the dashboard may go to its agency


def test_staff_list_shows_only_the_subtree(client, world, manager, division_manager):
    client.force_login(manager)
    html = client.get(reverse("training:staff")).content.decode()
    assert "Người Phòng A" in html and "Người Phòng B" in html and "Người Sở Khác" not in html
    client.force_login(division_manager)
    html = client.get(reverse("training:staff")).content.decode()
    assert "Người Phòng A" in html and "Người Phòng B" not in html
    # filtering by an agency outside the scope is not found
    assert client.get(
        reverse("training:staff"), {"agency": world["outsider"].employments.get().agency_id}
    ).status_code in (200, 404)
    html = client.get(reverse("training:staff"), {"q": "Sở Khác"}).content.decode()
    assert "Người Sở Khác" not in html


def test_plan_pages_are_scoped(client, world, manager, division_manager, tree):
    client.force_login(manager)
    html = client.get(reverse("training:plans")).content.decode()
    assert "Kế hoạch Sở" in html and "Kế hoạch Sở Khác" not in html
    assert client.get(reverse("training:plan", args=[world["other_plan"].pk])).status_code == 404
    outsider_row = PlanAssignment.objects.get(plan=world["other_plan"], user=world["outsider"])
    assert (
        client.get(reverse("training:assignment", args=[world["other_plan"].pk, outsider_row.pk])).status_code
        == 404
    )
    # a division manager sees the Sở-wide plan, but only their division's rows
    client.force_login(division_manager)
    response = client.get(reverse("training:plan", args=[world["plan"].pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "Người Phòng A" in html and "Người Phòng B" not in html
    b_row = PlanAssignment.objects.get(plan=world["plan"], user=world["b"])
    assert client.get(reverse("training:assignment", args=[world["plan"].pk, b_row.pk])).status_code == 404
    assert (
        client.post(
            reverse("training:assignment", args=[world["plan"].pk, b_row.pk]),
            {"action": "exempt", "exempt-reason": "Ốm dài ngày"},
        ).status_code
        == 404
    )
    assert PlanAssignment.objects.get(pk=b_row.pk).status != "exempt"


def test_position_pages_are_scoped(client, world, manager, positions, tree):
    client.force_login(manager)
    assert client.get(reverse("training:position", args=[positions["cv"].pk])).status_code == 200
    assert client.get(reverse("training:position", args=[world["foreign_position"].pk])).status_code == 404
    html = client.get(reverse("training:positions")).content.decode()
    assert "Chuyên viên Sở Khác" not in html
    # creating a position in an agency outside the scope is refused (not in the choices)
    response = client.post(
        reverse("training:positions"), {"agency": tree["other"].pk, "code": "x", "name": "X"}
    )
    assert response.status_code == 400 and not Position.objects.filter(code="x").exists()


def test_plan_create_outside_scope_is_refused(client, world, manager, tree, courses):
    client.force_login(manager)
    data = {
        "name": "KH ngoài",
        "year": TODAY().year,
        "agency": tree["other"].pk,
        "deadline": (TODAY() + datetime.timedelta(days=10)).isoformat(),
        "courses": [courses["c1"].pk],
    }
    assert client.post(reverse("training:plan_new"), data).status_code == 400
    assert not TrainingPlan.objects.filter(name="KH ngoài").exists()
    data["agency"] = tree["a"].pk
    response = client.post(reverse("training:plan_new"), data)
    plan = TrainingPlan.objects.get(name="KH ngoài")
    assert response.status_code == 302 and plan.assignments.count() == 1


def test_exempt_and_extend_through_the_page(client, world, manager):
    client.force_login(manager)
    row = PlanAssignment.objects.get(plan=world["plan"], user=world["mine"])
    url = reverse("training:assignment", args=[world["plan"].pk, row.pk])
    assert client.post(url, {"action": "exempt", "exempt-reason": ""}).status_code == 400
    assert (
        client.post(
            url,
            {
                "action": "extend",
                "extend-until": (TODAY() + datetime.timedelta(days=60)).isoformat(),
                "extend-reason": "Đi công tác dài ngày",
            },
        ).status_code
        == 302
    )
    row.refresh_from_db()
    assert row.extended_to == TODAY() + datetime.timedelta(days=60) and row.extended_by == manager
    assert client.post(url, {"action": "exempt", "exempt-reason": "Nghỉ thai sản"}).status_code == 302
    row.refresh_from_db()
    assert row.status == "exempt" and row.exempt_reason == "Nghỉ thai sản"


def test_session_form_refuses_people_outside_scope(client, world, manager, tree, courses):
    client.force_login(manager)
    data = {
        "agency": tree["so"].pk,
        "course": courses["c1"].pk,
        "date": TODAY().isoformat(),
        "place": "Hội trường",
        "trainer": "TS. Lê",
        "attendees": "a@example.test\nx@example.test",
    }
    assert client.post(reverse("training:session_new"), data).status_code == 400
    data["attendees"] = "a@example.test"
    assert client.post(reverse("training:session_new"), data).status_code == 302
    assert PlanAssignment.objects.get(plan=world["plan"], user=world["mine"]).status == "completed"
    data["agency"] = tree["other"].pk
    data["attendees"] = "x@example.test"
    assert client.post(reverse("training:session_new"), data).status_code == 400


# --- Import ---------------------------------------------------------------------------------

GOOD_BAD_CSV = (
    "\ufeffHọ và tên,E-mail,Số điện thoại,Mã cơ quan,Chức danh/Vị trí,Phân loại\n"
    "Nguyễn Thị Mới,moi@example.test,,SO-A,Chuyên viên,công chức\n"
    "Trần Văn Số,,0912 345 678,SO-B,,Viên chức\n"
    "Lê Văn Lỗi,loi@example.test,,KHAC-1,,công chức\n"
    "Phạm Thị Sai,sai-email,,SO-A,,cán bộ\n"
    ",khongten@example.test,,SO-A,,công chức\n"
    "Võ Văn Loại,loai@example.test,,SO-A,,giám đốc\n"
    "Đỗ Thị Trùng,moi@example.test,,SO-B,,công chức\n"
)


def _upload(client, content: bytes, name="nhan-su.csv"):
    f = io.BytesIO(content)
    f.name = name
    return client.post(reverse("training:staff_import"), {"file": f})


def test_import_with_bad_rows_saves_nothing_and_reports_each(client, world, manager):
    client.force_login(manager)
    users_before = User.objects.count()
    response = _upload(client, GOOD_BAD_CSV.encode("utf-8"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "KHAC-1" in html and "không thuộc phạm vi bạn quản lý" in html
    assert "không hợp lệ" in html and "thiếu họ và tên" in html and "trùng với dòng 2" in html
    assert 'name="payload"' not in html  # no confirm button while rows are wrong
    assert User.objects.count() == users_before
    assert not Employment.objects.filter(user__email="moi@example.test").exists()


def test_import_preview_then_confirm_creates_and_invites_once(
    client, world, manager, tree, positions, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    # NFD text (macOS), header variants, semicolons, a BOM; an existing person moving.
    content = (
        "\ufeffho ten;email;sdt;ma don vi;chuc danh;loai\n"
        "Nguyễn Thị Mới;MOI@example.test;;SO-A;chuyen-vien;cong chuc\n"
        "Trần Văn Số;;0912 345 678;SO-B;;viên chức\n"
        "Người Phòng A;a@example.test;;SO-B;;công chức\n"
    )
    import unicodedata

    content = unicodedata.normalize("NFD", content)
    preview = _upload(client, content.encode("utf-8"))
    html = preview.content.decode()
    assert preview.status_code == 200 and 'name="payload"' in html
    assert not User.objects.filter(email="moi@example.test").exists()  # preview writes nothing
    payload = html.split('name="payload" value="')[1].split('"')[0]
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("training:staff_import"), {"payload": payload})
    assert done.status_code == 200
    new = User.objects.get(email="moi@example.test")
    assert new.full_name == "Nguyễn Thị Mới" and new.full_name == unicodedata.normalize("NFC", new.full_name)
    assert not new.has_usable_password()
    e = Employment.objects.get(user=new)
    assert (e.agency, e.position, e.category) == (tree["a"], positions["cv"], "cong_chuc")
    phone_only = User.objects.get(phone="+84912345678")
    moved = world["mine"]
    assert Employment.objects.filter(user=moved).active_on(TODAY()).get().agency == tree["b"]
    # invitations: one per new account, sent once (e-mail with a reset link, SMS for phone only)
    assert StaffInvitation.objects.filter(user__in=[new, phone_only], sent_at__isnull=False).count() == 2
    assert not StaffInvitation.objects.filter(user=moved).exists()
    assert len([m for m in mail.outbox if "moi@example.test" in m.to]) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body
    # the new people got the Sở plan automatically
    assert PlanAssignment.objects.filter(plan=world["plan"], user__in=[new, phone_only]).count() == 2
    # re-running the invitation job does not send again
    from courses.training.invitations import invitation_send

    assert invitation_send(invitation_id=StaffInvitation.objects.get(user=new).pk) is False
    assert OutboxJob.objects.filter(task="training.send_invitation").count() == 2
    # importing the same file again changes nothing
    again = _upload(client, content.encode("utf-8")).content.decode()
    assert "Không thay đổi" in again


def test_import_xlsx(client, world, manager):
    client.force_login(manager)
    book = Workbook()
    sheet = book.active
    sheet.append(["Họ và tên", "Email", "Số điện thoại", "Mã cơ quan", "Chức danh/vị trí", "Phân loại"])
    sheet.append(["Hồ Thị Excel", "excel@example.test", None, "SO-A", "Chuyên viên", "Công chức"])
    buffer = io.BytesIO()
    book.save(buffer)
    html = _upload(client, buffer.getvalue(), name="nhan-su.xlsx").content.decode()
    assert "Hồ Thị Excel" in html and "Tạo tài khoản mới" in html and 'name="payload"' in html


def test_import_payload_from_another_manager_is_refused(client, world, manager, division_manager):
    client.force_login(manager)
    html = _upload(
        client, "họ và tên,email,mã cơ quan,phân loại\nAi Đó,ai@example.test,SO-A,công chức\n".encode()
    ).content.decode()
    payload = html.split('name="payload" value="')[1].split('"')[0]
    client.force_login(division_manager)
    assert client.post(reverse("training:staff_import"), {"payload": payload}).status_code == 400
    assert not User.objects.filter(email="ai@example.test").exists()


def test_import_missing_columns_is_explained(client, world, manager):
    client.force_login(manager)
    response = _upload(client, "tên,email\nA,a@b.vn\n".encode())
    assert response.status_code == 400 and "Thiếu cột" in response.content.decode()


# --- My required training ---------------------------------------------------------------------


def test_my_training_page(client, world, courses, target, django_assert_max_num_queries):
    from assessments.services import evidence_record

    person = world["mine"]
    evidence_record(person=person, competence_code="digcomp-2.2:4.2", level=1, method="quiz")
    course_complete(courses["c1"], person)
    for i in range(3):
        _plan(world["plan"].agency, courses, name=f"Thêm {i}", competence_levels={"digcomp-2.2:4.2": 2})
    client.force_login(person)
    client.get(reverse("training:mine"))  # warm the site-wide caches (site root, chrome)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("training:mine"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kế hoạch Sở" in html and "Thêm 2" in html
    assert "Đã xong" in html and "Chưa đạt" in html
    assert "Năng lực của tôi so với yêu cầu của chức danh" in html and "digcomp-2.2:4.2" in html


def test_my_training_page_empty(client, db):
    client.force_login(UserFactory())
    html = client.get(reverse("training:mine")).content.decode()
    assert "chưa được giao kế hoạch" in html


def test_certificate_issued_once_when_the_plan_is_done(client, world, courses):
    from courses.training.models import TrainingCertificate

    person = world["mine"]
    course_complete(courses["c1"], person)
    row = PlanAssignment.objects.get(plan=world["plan"], user=person)
    certificate = TrainingCertificate.objects.get(assignment=row)
    assert certificate.learner_name == "Người Phòng A" and certificate.plan_name == "Kế hoạch Sở"
    from courses.training.services import assignment_refresh

    assignment_refresh(assignment_id=row.pk)
    assert TrainingCertificate.objects.filter(assignment__user=person).count() == 1  # once, not per refresh
    client.force_login(person)
    html = client.get(reverse("training:mine")).content.decode()
    assert reverse("training:certificate", args=[certificate.code]) in html
    pdf = client.get(reverse("training:certificate", args=[certificate.code]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.force_login(world["b"])  # someone else's certificate: not found
    assert client.get(reverse("training:certificate", args=[certificate.code])).status_code == 404


def test_my_training_page_in_english(client, db, settings):
    client.force_login(UserFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("training:mine")).content.decode()
    assert "My required training" in html and "No training plan has been assigned to you" in html


def test_plan_export_is_scoped_and_says_what_the_page_says(client, world, manager, division_manager, courses):
    from openpyxl import load_workbook

    course_complete(courses["c1"], world["mine"])
    client.force_login(division_manager)
    response = client.get(reverse("training:plan_export", args=[world["plan"].pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    people = [r[0] for r in values[4:]]
    assert people == ["Người Phòng A"] and values[4][5] == "Đã hoàn thành" and values[4][10] == "đúng hạn"
    assert client.get(reverse("training:plan_export", args=[world["other_plan"].pk])).status_code == 404
    client.force_login(world["b"])
    assert client.get(reverse("training:plan_export", args=[world["plan"].pk])).status_code == 403


def test_staff_detail_moves_and_ends_within_scope(client, world, manager, division_manager, tree):
    url = reverse("training:person", args=[world["mine"].pk])
    client.force_login(manager)
    assert client.get(reverse("training:person", args=[world["outsider"].pk])).status_code == 404
    today = TODAY()
    # moving someone into an agency outside the scope is refused
    response = client.post(
        url,
        {
            "action": "move",
            "move-agency": tree["other_div"].pk,
            "move-category": "cong_chuc",
            "move-on": (today + datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    response = client.post(
        url,
        {
            "action": "move",
            "move-agency": tree["b"].pk,
            "move-category": "vien_chuc",
            "move-on": (today + datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 302
    history = list(Employment.objects.filter(user=world["mine"]).order_by("valid_from"))
    assert [(e.agency, e.valid_to) for e in history] == [(tree["a"], today), (tree["b"], None)]
    assert history[1].category == "vien_chuc"
    # the person's latest employment is in B: the division A manager no longer manages them
    client.force_login(division_manager)
    assert client.get(url).status_code == 404
    client.force_login(world["b"])
    assert client.get(url).status_code == 403


def test_import_refuses_moving_people_employed_elsewhere_and_mixed_accounts(client, world, manager):
    from lms.accounts.services import user_phone_set

    user_phone_set(user=world["b"], phone="0987 654 321")
    world["b"].save()
    client.force_login(manager)
    content = (
        "họ và tên,email,số điện thoại,mã cơ quan,phân loại\n"
        "Người Sở Khác,x@example.test,,SO-A,công chức\n"
        "Ai Đó,a@example.test,0987654321,SO-A,công chức\n"
    )
    html = _upload(client, content.encode()).content.decode()
    assert "ngoài phạm vi bạn quản lý" in html
    assert "email và số điện thoại thuộc hai tài khoản khác nhau" in html
    assert 'name="payload"' not in html
    assert Employment.objects.get(user=world["outsider"]).agency.code == "KHAC-1"


def test_my_training_page_with_recommendations_stays_within_budget(
    client, tree, target, positions, django_assert_max_num_queries
):
    from tests.courses.builders import course_build, index_build

    index = index_build()
    for i in range(3):
        course_build(
            index=index, title=f"Bảo vệ dữ liệu {i}", slug=f"bao-ve-{i}", competences="digcomp-2.2:4.2"
        )
    person = staff(tree["a"], position=positions["cv"])
    required = course_build(index=index, title="Bắt buộc", slug="bat-buoc")
    for i in range(4):
        plan_create(
            name=f"KH {i}",
            year=TODAY().year,
            agency=tree["so"],
            deadline=TODAY() + datetime.timedelta(days=10 + i),
            courses=[required],
            competence_levels={"digcomp-2.2:4.2": 3, "digcomp-2.2:1.1": 2},
        )
    client.force_login(person)
    client.get(reverse("training:mine"))
    with django_assert_max_num_queries(8):
        html = client.get(reverse("training:mine")).content.decode()
    assert "Khoá học gợi ý cho phần còn thiếu" in html and "Bảo vệ dữ liệu 2" in html and "KH 3" in html


def test_invited_person_sets_a_password_from_the_link_and_can_log_in(
    client, world, manager, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress

    client.force_login(manager)
    html = _upload(
        client,
        "họ và tên,email,mã cơ quan,phân loại\nMời Đăng Nhập,moi2@example.test,SO-A,công chức\n".encode(),
    ).content.decode()
    payload = html.split('name="payload" value="')[1].split('"')[0]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:staff_import"), {"payload": payload})
    client.logout()
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/password/reset/key/" in line)
    path = link[link.index("/accounts/") :]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": "Một-mật-khẩu-dài-2026", "password2": "Một-mật-khẩu-dài-2026"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="moi2@example.test")
    assert user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "moi2@example.test", "password": "Một-mật-khẩu-dài-2026"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("training:mine")
