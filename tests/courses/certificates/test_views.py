"""Verification page, the learner's list and download, staff actions, JSON documents, API."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from courses.certificates.models import Certificate
from courses.certificates.services import certificate_revoke
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from tests.courses.certificates.conftest import complete_course
from tests.courses.certificates.urls import API_PREFIX
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.courses.certificates.urls")]


def test_public_page_says_valid_and_shows_nothing_more_personal(certificate, client, learner):
    response = client.get(f"/chung-chi/{certificate.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Chứng nhận hợp lệ" in page
    assert "Nguyễn Thị Ánh" in page and "Dùng VNeID an toàn" in page
    assert certificate.code_display in page
    assert learner.email not in page
    assert "tai-ve" not in page  # no download link for strangers
    assert response["X-Robots-Tag"] == "noindex"


def test_revoked_page_says_revoked_with_the_date(certificate, client, staff_user):
    certificate_revoke(certificate=certificate, by=staff_user, reason="Gian lận.")
    certificate.refresh_from_db()
    page = client.get(f"/chung-chi/{certificate.code}/").content.decode()
    assert "Chứng nhận đã bị thu hồi" in page
    assert f"thu hồi ngày {timezone.localtime(certificate.revoked_at):%d/%m/%Y}" in page
    assert "Chứng nhận hợp lệ" not in page
    assert "Gian lận" not in page  # the reason is for staff


def test_typed_code_redirects_to_the_canonical_page(certificate, client):
    lowered = certificate.code.lower()
    response = client.get(f"/chung-chi/{lowered}/")
    assert response.status_code == 302 and response.url == f"/chung-chi/{certificate.code}/"
    response = client.get("/chung-chi/", {"ma": certificate.code_display.lower()})
    assert response.status_code == 302 and response.url == f"/chung-chi/{certificate.code}/"


@pytest.mark.parametrize("code", ["ABCDEFGHJKMN", "khong-co-ma-nay", "ABC"])
def test_unknown_code_is_a_helpful_404(db, client, code):
    response = client.get(f"/chung-chi/{code}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Không tìm thấy chứng nhận" in page
    assert "Hãy kiểm tra lại mã in trên chứng nhận" in page


def test_lookup_form_rejects_a_malformed_code(db, client):
    response = client.get("/chung-chi/", {"ma": "12"})
    assert response.status_code == 400
    assert "Mã chứng nhận gồm 12 chữ và số" in response.content.decode()
    assert client.get("/chung-chi/").status_code == 200


def test_owner_sees_preparing_until_the_pdf_is_ready(course, learner, client):
    certificate = complete_course(learner=learner, course=course)  # the job has not run
    client.force_login(learner)
    page = client.get(f"/chung-chi/{certificate.code}/").content.decode()
    assert "Đang chuẩn bị chứng nhận…" in page
    assert 'http-equiv="refresh"' in page
    listing = client.get("/chung-chi/cua-toi/").content.decode()
    assert "Đang chuẩn bị chứng nhận…" in listing
    # Download before it is ready: back to the page with the same message.
    response = client.get(f"/chung-chi/{certificate.code}/tai-ve/")
    assert response.status_code == 302


def test_only_the_owner_downloads_the_pdf(certificate, client, learner):
    url = f"/chung-chi/{certificate.code}/tai-ve/"
    assert client.get(url).status_code == 302  # to login
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 403
    assert "Chỉ người được cấp chứng nhận" in response.content.decode()
    client.force_login(learner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"chung-nhan-{certificate.code}.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_my_certificates_lists_with_download_links(certificate, client, learner):
    client.force_login(learner)
    page = client.get("/chung-chi/cua-toi/").content.decode()
    assert "Chứng nhận của tôi" in page
    assert f"/chung-chi/{certificate.code}/tai-ve/" in page
    client.force_login(UserFactory())
    page = client.get("/chung-chi/cua-toi/").content.decode()
    assert "Bạn chưa có chứng nhận nào." in page and certificate.code not in page


def test_badge_json_and_revoked_badge(certificate, client, staff_user):
    response = client.get(f"/chung-chi/{certificate.code}/badge.json")
    assert response.status_code == 200
    assert json.loads(response.content)["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert client.get("/chung-chi/ABCDEFGHJKMN/badge.json").status_code == 404
    certificate_revoke(certificate=certificate, by=staff_user, reason="Sai.")
    response = client.get(f"/chung-chi/{certificate.code}/badge.json")
    assert response.status_code == 410
    assert json.loads(response.content)["code"] == "revoked"


# --- Staff ---------------------------------------------------------------------------------


def test_staff_page_is_for_staff_only(certificate, client, learner):
    assert client.get("/chung-chi/quan-ly/").status_code == 302
    client.force_login(learner)
    assert client.get("/chung-chi/quan-ly/").status_code == 403
    response = client.post(f"/chung-chi/quan-ly/{certificate.code}/thu-hoi/", {"reason": "Tự thu hồi."})
    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_staff_revokes_then_reissues_from_the_page(certificate, client):
    admin = UserFactory()
    role_assign(user=admin, role=Role.PLATFORM_ADMIN)
    client.force_login(admin)
    page = client.get("/chung-chi/quan-ly/", {"ma": certificate.code_display}).content.decode()
    assert "Nguyễn Thị Ánh" in page and "Thu hồi chứng nhận" in page

    response = client.post(f"/chung-chi/quan-ly/{certificate.code}/thu-hoi/", {"reason": ""})
    assert response.status_code == 400
    assert "Hãy ghi lý do." in response.content.decode()

    response = client.post(f"/chung-chi/quan-ly/{certificate.code}/thu-hoi/", {"reason": "Gian lận."})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED and certificate.revoked_by == admin

    response = client.post(f"/chung-chi/quan-ly/{certificate.code}/thu-hoi/", {"reason": "Lần nữa."})
    assert response.status_code == 400
    assert "đã bị thu hồi rồi" in response.content.decode()

    response = client.post(f"/chung-chi/quan-ly/{certificate.code}/cap-lai/", {"reason": "Thu hồi nhầm."})
    assert response.status_code == 302
    new = Certificate.objects.get(replaces=certificate)
    assert response.url.endswith(f"?ma={new.code}")
    page = client.get(f"/chung-chi/{certificate.code}/").content.decode()
    assert new.code_display in page  # the revoked page points to its replacement


def test_staff_with_the_django_permission(certificate, client):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_certificate",
                                                     content_type__app_label="certificates"))
    client.force_login(user)
    assert client.get("/chung-chi/quan-ly/", {"ma": "ABCDEFGHJKMN"}).status_code == 404
    assert client.get("/chung-chi/quan-ly/", {"ma": certificate.code}).status_code == 200


def test_wagtail_admin_lists_certificates_read_only(certificate, client, staff_user):
    client.force_login(staff_user)
    response = client.get("/admin/snippets/certificates/certificate/")
    assert response.status_code == 200
    assert certificate.learner_name in response.content.decode()
    assert client.get("/admin/snippets/certificates/certificate/add/").status_code in (302, 403)
    inspect = client.get(f"/admin/snippets/certificates/certificate/inspect/{certificate.pk}/")
    assert inspect.status_code == 200
    edit = client.get(f"/admin/snippets/certificates/certificate/edit/{certificate.pk}/")
    assert edit.status_code in (302, 403)


# --- API -----------------------------------------------------------------------------------


def test_api_verification_is_public(certificate, client, staff_user):
    response = client.get(f"{API_PREFIX}/{certificate.code}")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["learner_name"] == "Nguyễn Thị Ánh"
    assert body["verification_url"].endswith(f"/chung-chi/{certificate.code}/")
    assert "email" not in json.dumps(body)
    certificate_revoke(certificate=certificate, by=staff_user, reason="Sai.")
    body = client.get(f"{API_PREFIX}/{certificate.code}").json()
    assert body["status"] == "revoked" and body["revoked_at"]
    response = client.get(f"{API_PREFIX}/ABCDEFGHJKMN")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_api_my_certificates_needs_login(certificate, client, learner):
    assert client.get(f"{API_PREFIX}/mine").status_code == 401
    client.force_login(learner)
    body = client.get(f"{API_PREFIX}/mine").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["code"] == certificate.code and item["pdf_state"] == "ready"
    assert item["download_url"].endswith(f"/chung-chi/{certificate.code}/tai-ve/")


def test_verification_page_in_english(certificate, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/chung-chi/{certificate.code}/").content.decode()
    assert "Valid certificate" in page and "Awarded to" in page
    assert "Nguyễn Thị Ánh" in page
