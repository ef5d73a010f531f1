"""Vietnamese is the default whatever the browser says; the switch changes it."""

import pytest

pytestmark = pytest.mark.django_db


def test_english_browser_still_gets_vietnamese(client):
    response = client.get("/tim-kiem/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "vi"
    assert 'lang="vi"' in response.content.decode()


def test_switch_sets_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/tim-kiem/"})
    assert response.status_code == 302
    response = client.get("/tim-kiem/")
    assert response["Content-Language"] == "en"
    assert 'lang="en"' in response.content.decode()
    assert "Search" in response.content.decode()
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert client.get("/tim-kiem/")["Content-Language"] == "vi"


def test_unknown_language_cookie_falls_back_to_vietnamese(client):
    client.cookies["django_language"] = "xx"
    assert client.get("/tim-kiem/")["Content-Language"] == "vi"


def test_api_clients_choose_by_accept_language(client):
    response = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response["Content-Language"] == "en"
    assert client.get("/api/v1/me")["Content-Language"] == "vi"
