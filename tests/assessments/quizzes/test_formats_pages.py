"""Staff import/export page: permission, upload → preview → confirm, download, bad files (4xx, never 500)."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.quizzes.models import Question
from assessments.quizzes.services import category_create
from tests.factories import UserFactory

from .builders import one_of_each

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.assessments.quizzes.urls")]

IMPORT_URL = "/danh-gia/ngan-hang-cau-hoi/nhap/"
EXPORT_URL = "/danh-gia/ngan-hang-cau-hoi/xuat/"
MIXED = (Path(__file__).parent / "fixtures" / "moodle_mixed.xml").read_bytes()


@pytest.fixture
def staff_client(client):
    user = UserFactory()
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="quizzes", codename__in=["add_question", "view_question"]
        )
    )
    client.force_login(user)
    return client


def _upload(client, data: bytes, name: str, **fields):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data), **fields})


def test_pages_need_login_and_permission(client):
    assert client.get(IMPORT_URL).status_code == 302
    client.force_login(UserFactory())
    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(EXPORT_URL, {"format": "csv"}).status_code == 403
    assert _upload(client, MIXED, "a.xml").status_code == 403
    assert Question.objects.count() == 0


def test_upload_previews_then_confirm_valid_only_imports_the_valid_ones(staff_client):
    page = staff_client.get(IMPORT_URL)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    preview = _upload(staff_client, MIXED, "ngan-hang.xml", mode="all_or_nothing")
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "6 câu hợp lệ, 6 câu lỗi" in html
    assert "Loại câu hỏi Moodle “essay” không được hỗ trợ." in html and "câu 9" in html
    assert "Chỉ nhập 6 câu hợp lệ" in html
    assert Question.objects.count() == 0  # a preview writes nothing
    token = preview.context["token"]
    # A forged token is refused, nothing written.
    wrong = staff_client.post(IMPORT_URL, {"confirm": "1", "token": "x", "mode": "valid_only"})
    assert wrong.status_code == 302 and Question.objects.count() == 0
    done = staff_client.post(IMPORT_URL, {"confirm": "1", "token": token, "mode": "valid_only"})
    assert done.status_code == 200
    assert "Đã nhập 6 câu hỏi" in done.content.decode()
    assert Question.objects.count() == 6
    # The pending file is gone: confirming twice does not import twice.
    again = staff_client.post(IMPORT_URL, {"confirm": "1", "token": token, "mode": "valid_only"})
    assert again.status_code == 302 and Question.objects.count() == 6


def test_confirm_all_or_nothing_with_invalid_questions_writes_nothing(staff_client):
    preview = _upload(staff_client, MIXED, "ngan-hang.xml")
    token = preview.context["token"]
    done = staff_client.post(IMPORT_URL, {"confirm": "1", "token": token, "mode": "all_or_nothing"})
    assert done.status_code == 400 and Question.objects.count() == 0
    assert "Không nhập câu hỏi nào" in done.content.decode()


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"<quiz><question>", "a.xml", "Tệp XML bị lỗi"),
        (b'<!DOCTYPE quiz [<!ENTITY x "y">]><quiz>&x;</quiz>', "a.xml", "DTD hoặc thực thể"),
        (b"not a zip", "a.xlsx", "không phải là bảng tính Excel"),
        (b"type,text\ntrue_false,Nguy\xd6n V\xb8n\n", "a.csv", "UTF-8"),  # TCVN3: refused
        (b"foo,bar\n1,2\n", "a.csv", "thiếu cột"),
    ],
)
def test_bad_files_are_a_400_with_the_reason(staff_client, data, name, message):
    response = _upload(staff_client, data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Question.objects.count() == 0


def test_no_file_or_bad_choices_are_a_400(staff_client):
    assert staff_client.post(IMPORT_URL, {}).status_code == 400
    assert _upload(staff_client, MIXED, "a.xml", format="pdf").status_code == 400
    assert staff_client.get(EXPORT_URL, {"format": "pdf"}).status_code == 400
    assert staff_client.get(EXPORT_URL, {"format": "csv", "category": "999999"}).status_code == 400


@pytest.mark.parametrize(
    "fmt,content_type,ext",
    [
        ("csv", "text/csv", "csv"),
        ("xlsx", "spreadsheetml", "xlsx"),
        ("moodle", "xml", "xml"),
        ("gift", "text/plain", "txt"),
    ],
)
def test_export_downloads_a_file(staff_client, fmt, content_type, ext):
    category = category_create(name="Tải xuống")
    one_of_each(category)
    response = staff_client.get(EXPORT_URL, {"format": fmt, "category": str(category.pk)})
    assert response.status_code == 200
    assert content_type in response["Content-Type"]
    assert f'.{ext}"' in response["Content-Disposition"] and "attachment" in response["Content-Disposition"]
    back = _upload(staff_client, response.content, f"x.{ext}")
    assert back.status_code == 200 and "7 câu hợp lệ, 0 câu lỗi" in back.content.decode()


def test_page_and_report_in_english(staff_client, settings):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = staff_client.get(IMPORT_URL).content.decode()
    assert "Import and export questions" in html and "Download the file" in html
    preview = _upload(staff_client, MIXED, "a.xml").content.decode()
    assert "The Moodle question type “essay” is not supported." in preview
    assert "Import only the 6 valid questions" in preview
    bad = _upload(staff_client, b"not a zip", "a.xlsx")
    assert bad.status_code == 400 and "This is not a readable Excel spreadsheet" in bad.content.decode()


def test_unconfirmed_uploads_are_swept_after_a_day(staff_client):
    import datetime
    import os

    from django.core.files.storage import default_storage

    from assessments.quizzes.formats.services import pending_imports_sweep

    preview = _upload(staff_client, MIXED, "a.xml")
    path = f"quiz-imports/{preview.context['token']}"
    assert default_storage.exists(path)
    assert pending_imports_sweep() == 0 and default_storage.exists(path)
    old = (datetime.datetime.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(default_storage.path(path), (old, old))
    assert pending_imports_sweep() == 1 and not default_storage.exists(path)
