"""The public lookup page and the API on small data built through services."""

import datetime

import pytest
from django.urls import reverse
from ninja.testing import TestClient

from lms.places.api import router
from lms.places.models import LEGACY_EDITION, AdministrativeUnit, UnitSuccession
from lms.places.services import unit_create
from tests.factories import make_commune, make_province

pytestmark = pytest.mark.django_db


@pytest.fixture
def reform():
    hanoi = make_province("Thành phố Hà Nội", code="01")
    ba_dinh = make_commune(hanoi, "Phường Ba Đình", code="00004")
    old_hanoi = unit_create(name="Thành phố Hà Nội", level="province", code="01", edition=LEGACY_EDITION)
    district = unit_create(name="Quận Ba Đình", level="district", code="001", parent=old_hanoi,
                           edition=LEGACY_EDITION)
    truc_bach = unit_create(name="Phường Trúc Bạch", level="commune", code="00004", parent=district,
                            edition=LEGACY_EDITION)
    UnitSuccession.objects.create(predecessor=truc_bach, successor=ba_dinh, kind="whole",
                                  effective_date=datetime.date(2025, 7, 1), source_new_code="00004")
    return {"ba_dinh": ba_dinh, "truc_bach": truc_bach}


def test_empty_state_without_query(client, reform):
    response = client.get(reverse("places:lookup"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "truc bach" in html and 'name="q"' in html
    assert "Không tìm thấy" not in html


def test_no_result_says_what_to_try(client, reform):
    response = client.get(reverse("places:lookup"), {"q": "Xã Không Tồn Tại"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không tìm thấy xã, phường nào có tên chứa “Xã Không Tồn Tại”" in html
    assert "Hãy thử" in html and "gõ không dấu" in html


def test_too_long_query_is_a_400_with_a_message(client, reform):
    response = client.get(reverse("places:lookup"), {"q": "x" * 101})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


def test_found_by_folded_name(client, reform):
    html = client.get(reverse("places:lookup"), {"q": "truc bach"}).content.decode()
    assert "Phường Trúc Bạch" in html and "Phường Ba Đình" in html and "Quận Ba Đình" in html


def test_bad_page_number_falls_back(client, reform):
    response = client.get(reverse("places:lookup"), {"q": "truc bach", "page": "abc"})
    assert response.status_code == 200 and response.context["page"].number == 1


def test_api_unit_detail_and_errors(reform):
    api = TestClient(router)
    unit = api.get(f"/units/{reform['ba_dinh'].pk}").json()
    assert unit["name"] == "Phường Ba Đình" and unit["path"] == reform["ba_dinh"].path
    assert api.get("/units/999999").status_code == 404
    assert api.get("/units", query_params={"level": "quận"}).status_code == 422
    assert api.get("/successions").status_code == 422
    assert api.get("/units", query_params={"q": "x" * 101}).status_code == 422
    lookup = api.get("/successions", query_params={"q": "TRÚC bach"}).json()
    assert lookup["items"][0]["predecessor_province_name"] == "Thành phố Hà Nội"
    legacy = api.get("/units", query_params={"edition": LEGACY_EDITION, "level": "commune"}).json()
    assert [u["name"] for u in legacy["items"]] == ["Phường Trúc Bạch"]


def test_within_excludes_self_on_request(reform):
    province = reform["ba_dinh"].parent
    assert list(AdministrativeUnit.objects.within(province, include_self=False)) == [reform["ba_dinh"]]
