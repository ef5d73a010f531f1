"""The JSON API skeleton: schema, docs, authentication, tokens, JSON errors."""

import datetime
import json

import pytest
from django.test import Client
from wagtail.models import APIToken

from lms.accounts.services import role_assign
from tests.factories import UserFactory, make_agency, make_commune, make_province

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(full_name="Nguyễn Thị Hoà")


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def _json(response):
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return json.loads(response.content)


def _create_token(client, name="điện thoại"):
    response = client.post("/api/v1/tokens", {"name": name}, content_type="application/json")
    assert response.status_code == 201, response.content
    return _json(response)


def test_openapi_document_lists_the_v1_paths(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = _json(response)
    assert document["openapi"].startswith("3.")
    for path in ("/api/v1/me", "/api/v1/tokens", "/api/v1/tokens/{token_id}"):
        assert path in document["paths"], path
    schemes = document["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_docs_render(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_me_anonymous_is_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = _json(response)
    assert body["code"] == "not_authenticated" and "đăng nhập" in body["detail"]


def test_me_with_session_lists_active_roles_and_scopes(logged_in, user):
    province = make_province("Tỉnh Hà Giang Thử")
    commune = make_commune(province, "Xã Lũng Cú Thử")
    agency = make_agency("Sở Khoa học và Công nghệ Thử")
    role_assign(user=user, role="commune_officer", unit=commune)
    role_assign(user=user, role="training_manager", agency=agency, position="Chuyên viên")
    role_assign(
        user=user,
        role="province_officer",
        unit=province,
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2020, 12, 31),
    )
    response = logged_in.get("/api/v1/me")
    assert response.status_code == 200
    body = _json(response)
    assert body["id"] == user.pk and body["display_name"] == "Nguyễn Thị Hoà"
    roles = {r["role"]: r for r in body["roles"]}
    assert set(roles) == {"commune_officer", "training_manager"}  # the expired one is gone
    assert roles["commune_officer"]["unit"] == {
        "id": commune.pk,
        "code": commune.code,
        "name": "Xã Lũng Cú Thử",
        "level": "commune",
    }
    assert roles["commune_officer"]["agency"] is None
    assert roles["training_manager"]["agency"]["name"] == "Sở Khoa học và Công nghệ Thử"
    assert roles["training_manager"]["role_label"] == "Quản lý đào tạo"
    assert roles["training_manager"]["position"] == "Chuyên viên"


def test_token_create_list_use_and_revoke(logged_in, user):
    created = _create_token(logged_in, "  máy tính bảng  ")
    plaintext = created["token"]
    assert created["name"] == "máy tính bảng" and created["active"] is True
    assert plaintext.startswith(created["prefix"])
    stored = APIToken.objects.get(pk=created["id"])
    assert stored.user == user and plaintext not in stored.key_hash  # only a digest is kept

    listed = _json(logged_in.get("/api/v1/tokens"))
    assert [t["id"] for t in listed] == [created["id"]]
    assert "token" not in listed[0]  # the plaintext is shown once only

    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    me = bearer.get("/api/v1/me")
    assert me.status_code == 200 and _json(me)["id"] == user.pk
    stored.refresh_from_db()
    assert stored.last_used_at is not None

    # A token revokes itself without CSRF (no cookie, no browser).
    assert bearer.delete(f"/api/v1/tokens/{created['id']}").status_code == 204
    stored.refresh_from_db()
    assert stored.revoked_at is not None
    after = bearer.get("/api/v1/me")
    assert after.status_code == 401 and _json(after)["code"] == "not_authenticated"
    listed = _json(logged_in.get("/api/v1/tokens"))
    assert listed[0]["active"] is False and listed[0]["revoked_at"] is not None


def test_a_token_cannot_mint_tokens(logged_in):
    plaintext = _create_token(logged_in)["token"]
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    response = bearer.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 401 and APIToken.objects.count() == 1


def test_a_bad_token_is_401_even_with_a_session(logged_in):
    response = logged_in.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer wagtail_not-a-real-token")
    assert response.status_code == 401


def test_session_writes_need_csrf(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    refused = browser.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert refused.status_code == 403 and _json(refused)["code"] == "permission_denied"
    assert "CSRF" in _json(refused)["detail"]
    csrf = _json(browser.get("/api/v1/csrf"))["csrf_token"]
    accepted = browser.post(
        "/api/v1/tokens", {"name": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert accepted.status_code == 201


def test_revoking_someone_elses_token_is_404(logged_in):
    other = UserFactory()
    token, _plaintext = APIToken.create_token(user=other, name="của người khác")
    response = logged_in.delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 404 and _json(response)["code"] == "not_found"
    token.refresh_from_db()
    assert token.revoked_at is None


def test_unknown_token_id_is_404_json(logged_in):
    response = logged_in.delete("/api/v1/tokens/999999")
    assert response.status_code == 404 and _json(response)["code"] == "not_found"


def test_non_integer_id_is_422_json(logged_in):
    response = logged_in.delete("/api/v1/tokens/abc")
    assert response.status_code in (404, 422)
    assert _json(response)["code"] in ("not_found", "invalid")


def test_malformed_json_body_is_400_json(logged_in):
    response = logged_in.post("/api/v1/tokens", "{not json", content_type="application/json")
    assert response.status_code == 400
    body = _json(response)
    assert body["code"] == "parse_error" and "JSON" in body["detail"]


def test_missing_field_is_422_json(logged_in):
    response = logged_in.post("/api/v1/tokens", {}, content_type="application/json")
    assert response.status_code == 422
    body = _json(response)
    assert body["code"] == "invalid" and body["errors"][0]["loc"][-1] == "name"


def test_blank_name_is_400_with_a_vietnamese_message(logged_in):
    response = logged_in.post("/api/v1/tokens", {"name": "   "}, content_type="application/json")
    assert response.status_code == 400
    body = _json(response)
    assert body["errors"] == [{"loc": ["name"], "msg": "Hãy đặt tên cho mã truy cập."}]


def test_unknown_api_path_is_404_json(client):
    response = client.get("/api/v1/khong-co")
    assert response.status_code == 404 and _json(response)["code"] == "not_found"


def test_english_messages_follow_the_language(logged_in, settings):
    response = logged_in.post(
        "/api/v1/tokens", {"name": " "}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert _json(response)["detail"] == "Give the access token a name."
