"""Bulk enrolment from CSV: parsing, row outcomes, one transaction, idempotency, pages."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses import bulk, services
from courses.models import Enrolment
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from lms.jobs.models import OutboxJob
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = bulk.RowStatus


def test_parse_with_bom_semicolons_and_blank_lines():
    data = "\ufeffEmail;Ghi chú\r\nanh@example.test;một\r\n;\r\n\r\nbinh@example.test;hai\r\n".encode()
    rows = bulk.bulk_csv_parse(data=data)
    assert [(r.line, r.kind, r.value) for r in rows] == [
        (2, "email", "anh@example.test"), (5, "email", "binh@example.test")]


def test_parse_takes_the_first_filled_identifier_column():
    rows = bulk.bulk_csv_parse(data=b"user_id,email,phone\n,,0912345678\n7,x@example.test,\n,,\n")
    assert [(r.kind, r.value) for r in rows] == [("phone", "0912345678"), ("email", "x@example.test")]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"name,age\nAnh,30\n", "no_column"),
        (b"\xff\xfe" + "email\nanh".encode("utf-16-le")[:-1], "encoding"),  # broken UTF-16
        (b"email\nNguy\xd6n V\xb8n An\n", "encoding"),  # TCVN3 (ABC), not UTF-8 or Windows-1258
        (b"email\n", "no_rows"),
        (b"email\n" + b"a@example.test\n" * (bulk.MAX_ROWS + 1), "too_many"),
    ],
)
def test_parse_refuses_unusable_files(data, code):
    with pytest.raises(ValidationError) as info:
        bulk.bulk_csv_parse(data=data)
    assert info.value.code == code


@pytest.fixture
def people(course):
    anh = UserFactory(username="anh", email="Anh@Example.test")
    binh = UserFactory(username="binh", email="", phone="+84912345678")
    chi = UserFactory(username="chi", email="chi@example.test")
    dung = UserFactory(username="dung", email="dung@example.test")
    khoa = UserFactory(username="khoa", email="khoa@example.test", is_active=False)
    services.enrolment_create(learner=dung, course=course)
    return {"anh": anh, "binh": binh, "chi": chi, "dung": dung, "khoa": khoa}


def _csv(people) -> bytes:
    return "\n".join([
        "email,phone,user_id",
        "anh@example.test,,",  # case-insensitive e-mail
        ",0912 345 678,",  # national phone format
        f",,{people['chi'].pk}",
        "dung@example.test,,",  # already enrolled
        "ai.do@example.test,,",  # no such user
        "khong-phai-email,,",  # invalid
        ",12345,",  # invalid phone
        ",,abc",  # invalid id
        ",,999999",  # no such user
        "ANH@example.test,,",  # the same person again
        "khoa@example.test,,",  # locked account
    ]).encode()


def test_resolve_and_apply_report_every_row(course, people, django_assert_max_num_queries):
    rows = bulk.bulk_csv_parse(data=_csv(people))
    with django_assert_max_num_queries(4):
        preview = bulk.bulk_rows_resolve(course=course, rows=rows)
    assert [r.status for r in preview] == [S.READY, S.READY, S.READY, S.ALREADY, S.NO_USER, S.INVALID,
                                           S.INVALID, S.INVALID, S.NO_USER, S.INVALID, S.INVALID]
    assert "dòng 2" in preview[9].message
    assert Enrolment.objects.filter(course=course).count() == 1  # the preview writes nothing

    results = bulk.bulk_enrolment_apply(course=course, rows=rows)
    assert [r.status for r in results][:4] == [S.ENROLLED, S.ENROLLED, S.ENROLLED, S.ALREADY]
    enrolled = set(Enrolment.objects.filter(course=course, status="active").values_list("learner__username",
                                                                                       flat=True))
    assert enrolled == {"anh", "binh", "chi", "dung"}
    # each new learner gets the welcome job, as with a one-click enrolment
    assert OutboxJob.objects.filter(task=services.WELCOME_JOB).count() == 4
    summary = dict((status, count) for status, _label, count in bulk.bulk_summary(results=results))
    assert summary == {"enrolled": 3, "already": 1, "no_user": 2, "invalid": 5}


def test_apply_twice_enrols_nobody_twice(course, people):
    rows = bulk.bulk_csv_parse(data=_csv(people))
    bulk.bulk_enrolment_apply(course=course, rows=rows)
    again = bulk.bulk_enrolment_apply(course=course, rows=rows)
    assert [r.status for r in again][:4] == [S.ALREADY] * 4
    assert Enrolment.objects.filter(course=course).count() == 4


def test_apply_reports_a_refusal_from_the_service(course, people, monkeypatch):
    real = services.enrolment_create

    def refuse_binh(*, learner, course):
        if learner.username == "binh":
            raise ValidationError("Từ chối thử.", code="other")
        return real(learner=learner, course=course)

    monkeypatch.setattr(bulk, "enrolment_create", refuse_binh)
    results = bulk.bulk_enrolment_apply(course=course, rows=bulk.bulk_csv_parse(data=_csv(people)))
    assert (results[1].status, results[1].message) == (S.REFUSED, "Từ chối thử.")
    assert results[0].status == S.ENROLLED and results[2].status == S.ENROLLED


def test_apply_refuses_a_closed_course(index, people):
    from tests.courses.builders import course_build

    closed = course_build(index=index, slug="da-dong", enrolment_closes_on="2000-01-01")
    with pytest.raises(ValidationError):
        bulk.bulk_enrolment_apply(course=closed, rows=bulk.bulk_csv_parse(data=b"email\nanh@example.test\n"))
    assert not Enrolment.objects.filter(course=closed).exists()


def test_payload_round_trip_and_tampering(course, index):
    from tests.courses.builders import course_build

    rows = bulk.bulk_csv_parse(data=b"email\nanh@example.test\n")
    payload = bulk.bulk_payload_dump(course=course, rows=rows)
    assert bulk.bulk_payload_load(course=course, payload=payload) == rows
    with pytest.raises(ValidationError):
        bulk.bulk_payload_load(course=course, payload=payload[:-2] + "xx")
    other = course_build(index=index, slug="khac")
    with pytest.raises(ValidationError):
        bulk.bulk_payload_load(course=other, payload=payload)


# --- The page ------------------------------------------------------------------------------


@pytest.fixture
def editor_client(client):
    editor = UserFactory(username="bien-tap")
    role_assign(user=editor, role=Role.CONTENT_EDITOR)
    client.force_login(editor)
    return client


def test_page_preview_then_confirm(editor_client, course, people):
    url = reverse("courses:staff_bulk_enrol", args=[course.pk])
    assert editor_client.get(url).status_code == 200
    upload = SimpleUploadedFile("ds.csv", b"\xef\xbb\xbf" + _csv(people), content_type="text/csv")
    preview = editor_client.post(url, {"file": upload})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Xem trước" in html and "Xác nhận đăng ký 3 người học" in html
    assert "ai.do@example.test" in html and "Không có người dùng này" in html
    assert Enrolment.objects.filter(course=course).count() == 1
    payload = preview.context["payload"]
    done = editor_client.post(url, {"payload": payload})
    assert done.status_code == 200 and "Kết quả" in done.content.decode()
    assert Enrolment.objects.filter(course=course).count() == 4
    again = editor_client.post(url, {"payload": payload})
    assert dict((s, n) for s, _l, n in again.context["summary"])["already"] == 4


def test_page_refuses_bad_input_with_400(editor_client, course):
    url = reverse("courses:staff_bulk_enrol", args=[course.pk])
    response = editor_client.post(url, {"file": SimpleUploadedFile("x.csv", b"email\nNguy\xd6n V\xb8n\n")})
    assert response.status_code == 400 and "UTF-8" in response.content.decode()
    response = editor_client.post(url, {})
    assert response.status_code == 400 and "Hãy chọn một tệp CSV." in response.content.decode()
    response = editor_client.post(url, {"payload": "giả-mạo"})
    assert response.status_code == 400 and "không hợp lệ" in response.content.decode()


def test_page_needs_staff(client, course, learner):
    url = reverse("courses:staff_bulk_enrol", args=[course.pk])
    assert client.get(url).status_code == 302
    client.force_login(learner)
    assert client.get(url).status_code == 403
    assert client.post(url, {"payload": "x"}).status_code == 403
