"""Wagtail admin registration, path upkeep on admin edits, and the demo villages."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lms.places.demo import demo_villages_create
from lms.places.models import CURRENT_EDITION, AdministrativeUnit
from lms.places.services import unit_path_refresh
from tests.factories import UserFactory, make_commune, make_province, make_village

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    return client


def test_units_and_agencies_are_in_the_admin(admin_client):
    province = make_province("Thành phố Đà Nẵng", code="48")
    make_commune(province, "Xã Hòa Vang", code="20320")
    units = admin_client.get(reverse("wagtailsnippets_places_administrativeunit:list"), {"q": "hoa vang"})
    assert units.status_code == 200 and "Xã Hòa Vang" in units.content.decode()
    agencies = admin_client.get(reverse("wagtailsnippets_organisations_agency:list"))
    assert agencies.status_code == 200
    successions = admin_client.get(reverse("wagtailsnippets_places_unitsuccession:list"))
    assert successions.status_code == 200


def test_admin_edit_of_parent_rewrites_subtree_paths(admin_client):
    p1 = make_province("Tỉnh Một", code="91")
    p2 = make_province("Tỉnh Hai", code="92")
    commune = make_commune(p1, "Xã A", code="91001")
    village = make_village(commune, "Thôn A")
    url = reverse("wagtailsnippets_places_administrativeunit:edit", args=[commune.pk])
    response = admin_client.post(url, {
        "name": "Xã A", "code": "91001", "division_type": "xã", "level": "commune",
        "edition": CURRENT_EDITION, "parent": p2.pk, "valid_from": "", "valid_to": "", "source_flag": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    commune.refresh_from_db()
    village.refresh_from_db()
    assert commune.path == f"/{p2.pk}/{commune.pk}/"
    assert village.path == f"/{p2.pk}/{commune.pk}/{village.pk}/"
    assert list(AdministrativeUnit.objects.within(p1)) == [p1]


def test_path_refresh_refuses_a_cycle():
    province = make_province("Tỉnh Một", code="91")
    commune = make_commune(province, "Xã A", code="91001")
    AdministrativeUnit.objects.filter(pk=province.pk).update(parent=commune)
    with pytest.raises(ValidationError):
        unit_path_refresh(unit=province)


def test_demo_villages_are_idempotent():
    hanoi = make_province("Thành phố Hà Nội", code="01")
    make_commune(hanoi, "Phường Ba Đình", code="00004")
    danang = make_province("Thành phố Đà Nẵng", code="48")
    make_commune(danang, "Xã Hòa Vang", code="20320")
    first = demo_villages_create()
    second = demo_villages_create()
    assert len(first) == 6 and [v.pk for v in first] == [v.pk for v in second]
    assert AdministrativeUnit.objects.filter(level="village").count() == 6
    assert {v.parent.name for v in first} == {"Phường Ba Đình", "Xã Hòa Vang"}


def test_demo_villages_need_the_units():
    with pytest.raises(LookupError, match="load_units"):
        demo_villages_create()
