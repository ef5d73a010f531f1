"""The places router is mounted on the live API, public like the lookup page."""

import pytest

from lms.places.services import unit_create

pytestmark = pytest.mark.django_db


def test_units_and_successions_are_public_json(client):
    province = unit_create(name="Thành phố Đà Nẵng", level="province", code="48")
    unit_create(name="Phường Hải Châu", level="commune", code="20194", parent=province)
    response = client.get("/api/v1/places/units", {"q": "hai chau"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert [u["name"] for u in response.json()["items"]] == ["Phường Hải Châu"]
    assert client.get("/api/v1/places/successions", {"q": "truc bach"}).status_code == 200


def test_places_paths_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/places/units" in paths and "/api/v1/places/successions" in paths
