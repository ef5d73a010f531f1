"""The real reference files, loaded once for this module (seconds, also on SQLite).

Each quirk listed in lms/places/data's README (copied from the shared data folder) has
its own test here.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from ninja.testing import TestClient

from lms.places.api import router
from lms.places.loading import units_load
from lms.places.models import CURRENT_EDITION, LEGACY_EDITION, AdministrativeUnit, UnitSuccession

pytestmark = pytest.mark.django_db


def _wipe():
    # Plain DELETE statements: the ORM's collector would walk 14,000 units one batch at a
    # time. Nothing else points at these rows (other tests roll back their own data).
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {UnitSuccession._meta.db_table}")
        cursor.execute(f"DELETE FROM {AdministrativeUnit._meta.db_table}")


@pytest.fixture(scope="module", autouse=True)
def loaded(django_db_setup, django_db_blocker):
    """Load the real files once (committed), and remove everything after the module."""
    with django_db_blocker.unblock():
        _wipe()
        report = units_load()
        yield report
        _wipe()


def current(level):
    return AdministrativeUnit.objects.filter(edition=CURRENT_EDITION, level=level)


def legacy(level):
    return AdministrativeUnit.objects.filter(edition=LEGACY_EDITION, level=level)


def reform_successions():
    return UnitSuccession.objects.filter(kind__in=["whole", "partial"])


# --- counts, idempotency -----------------------------------------------------------------


def test_counts_match_the_files(loaded):
    assert current("province").count() == 34
    assert current("commune").count() == 3321
    assert reform_successions().count() == 10571
    assert loaded.unmatched == []
    assert loaded.created["quan hệ kế thừa"] == 10571
    assert current("commune").filter(division_type="đặc khu").count() == 13


def test_second_run_changes_nothing_and_says_so(capsys):
    before = set(AdministrativeUnit.objects.values_list("pk", "path", "name", "parent_id"))
    report = units_load()
    assert not report.changed_anything
    assert sum(report.created.values()) == 0 and sum(report.changed.values()) == 0
    assert report.unchanged["quan hệ kế thừa"] == 10571
    assert set(AdministrativeUnit.objects.values_list("pk", "path", "name", "parent_id")) == before

    call_command("load_units")
    out = capsys.readouterr().out
    assert "Không có gì thay đổi" in out
    assert "34 tỉnh, thành phố; 3321 xã, phường, đặc khu; 10571 quan hệ kế thừa" in out
    assert "Không khớp được: 0 dòng." in out


def test_a_changed_row_is_restored_and_counted():
    ba_dinh = current("commune").get(code="00004")
    AdministrativeUnit.objects.filter(pk=ba_dinh.pk).update(name="Sai tên", path="/0/")
    report = units_load()
    assert report.changed["xã, phường, đặc khu"] == 1
    ba_dinh.refresh_from_db()
    assert ba_dinh.name == "Phường Ba Đình"
    assert ba_dinh.name_folded == "phuong ba dinh"
    assert ba_dinh.path == f"{ba_dinh.parent.path}{ba_dinh.pk}/"


def test_command_reports_quirks_with_counts(capsys):
    call_command("load_units")
    out = capsys.readouterr().out
    assert "khớp theo tỉnh và tên): 123" in out
    assert "“Xa” thay cho “Xã”: 2" in out
    assert "mã cũ 00000" in out and ": 6" in out
    assert "hai dấu cách liền nhau: 5" in out


# --- paths ---------------------------------------------------------------------------------


def test_every_unit_has_its_path_and_within_is_one_query(django_assert_num_queries):
    hanoi = current("province").get(code="01")
    assert hanoi.path == f"/{hanoi.pk}/"
    bad = [
        u.pk for u in AdministrativeUnit.objects.select_related("parent")
        if u.path != (f"{u.parent.path}{u.pk}/" if u.parent_id else f"/{u.pk}/")
    ]
    assert bad == []
    with django_assert_num_queries(1):
        subtree = list(AdministrativeUnit.objects.within(hanoi))
    assert len(subtree) == 1 + 126
    assert {u.level for u in subtree} == {"province", "commune"}


def test_legacy_hierarchy_province_district_commune():
    truc_bach = legacy("commune").get(code="00004")
    assert truc_bach.name == "Phường Trúc Bạch"
    assert truc_bach.parent.name == "Quận Ba Đình" and truc_bach.parent.level == "district"
    assert truc_bach.parent.parent.name == "Thành phố Hà Nội"
    assert truc_bach.parent.parent.edition == LEGACY_EDITION
    assert str(truc_bach.valid_to) == "2025-06-30"
    assert legacy("province").count() == 63


# --- quirks --------------------------------------------------------------------------------


def test_codes_are_not_stable_across_editions():
    """New Phường Ba Đình is 00004, the code of old Phường Trúc Bạch: two different units."""
    new = current("commune").get(code="00004")
    old = legacy("commune").get(code="00004")
    assert new.pk != old.pk and new.name == "Phường Ba Đình"
    assert reform_successions().get(predecessor=old).successor == new


def test_reassigned_code_is_matched_by_province_and_name(loaded):
    """The source gave Văn Miếu - Quốc Tử Giám the code 00226, which is Kim Liên's."""
    assert loaded.quirks["code_reassigned"] == 123
    assert UnitSuccession.objects.exclude(source_new_code="").exclude(
        source_new_code=models_code_of_successor()
    ).values("successor").distinct().count() == 123
    rows = reform_successions().filter(predecessor__name="Phường Văn Miếu - Quốc Tử Giám")
    row = rows.get(successor__name="Phường Văn Miếu - Quốc Tử Giám")
    assert row.successor.code == "00196"
    assert row.successor.name == "Phường Văn Miếu - Quốc Tử Giám"
    assert row.source_new_code == "00226"
    assert current("commune").get(code="00226").name == "Phường Kim Liên"
    assert row.is_flagged and "00226" in row.flag_reason


def models_code_of_successor():
    from django.db.models import F

    return F("successor__code")


def test_xa_spelled_without_tilde_is_matched():
    rows = reform_successions().filter(successor__name="Xã Ea Kly", flag_reason__contains="“Xa”")
    assert rows.count() == 2
    assert all(r.is_flagged for r in rows)


def test_old_code_00000_rows():
    zones = reform_successions().filter(predecessor__level="district", predecessor__edition=LEGACY_EDITION)
    assert zones.count() == 5
    con_dao = zones.get(successor__name="Đặc khu Côn Đảo")
    assert con_dao.predecessor.name == "Huyện Côn Đảo"
    assert con_dao.note.startswith("Sắp xếp toàn bộ huyện Côn Đảo")
    alluvial = legacy("commune").get(name__startswith="Khu vực bãi bồi ven biển")
    assert alluvial.code == ""
    assert alluvial.source_flag
    assert alluvial.parent.name == "Huyện Kim Sơn"
    assert reform_successions().get(predecessor=alluvial).successor.name == "Xã Kim Đông"


@pytest.mark.parametrize(
    ("code", "names"),
    [("00553", {"Xã Cổ Bi", "Xã Đặng Xá"}), ("01615", {"Xã Mỹ Hưng", "Xã Hồng Quang"}),
     ("02485", {"Xã Phú Thịnh", "Xã Công Đa"})],
)
def test_old_code_with_two_names_keeps_both_and_flags_them(code, names):
    units = legacy("commune").filter(code=code)
    assert set(units.values_list("name", flat=True)) == names
    assert all(u.source_flag for u in units)
    assert all(s.is_flagged for s in reform_successions().filter(predecessor__in=units))


def test_double_spaces_in_old_names():
    """"Phường  6" and "Phường 6" (same code) are one unit; names are displayed as given."""
    assert legacy("commune").filter(code="32017").count() == 1
    dong = legacy("commune").get(code="21397")
    assert dong.name == "Xã Hành Tín  Đông"
    assert dong.name_folded == "xa hanh tin dong"


def test_hyphen_and_en_dash_meet_but_display_is_untouched():
    chan_may = current("commune").get(name_folded="xa chan may - lang co")
    assert chan_may.name == "Xã Chân Mây – Lăng Cô"  # the unit list's en dash, kept
    assert reform_successions().filter(successor=chan_may).count() == 4


def test_note_semantics_for_population():
    tay_ho = reform_successions().get(predecessor__name="Phường Thụy Khuê", successor__name="Phường Tây Hồ")
    assert tay_ho.kind == "partial"
    assert tay_ho.note == UnitSuccession.NOTE_PART_LAND_ALL_PEOPLE
    assert tay_ho.counts_whole_population
    plain_partial = reform_successions().filter(kind="partial", note="").first()
    assert not plain_partial.counts_whole_population
    assert reform_successions().filter(note="Giữ nguyên", kind="whole").count() == 127


def test_districts_listed_under_two_provinces_take_the_majority():
    tan_an = legacy("district").get(code="794")
    assert tan_an.parent.code == "80"
    assert tan_an.source_flag
    assert legacy("province").get(code="44").name == "Tỉnh Quảng Bình"


# --- lookup page and API on real data ------------------------------------------------------


def test_lookup_truc_bach_shows_ba_dinh(client):
    response = client.get(reverse("places:lookup"), {"q": "Phường Trúc Bạch"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Phường Trúc Bạch" in html
    assert "Phường Ba Đình" in html and "Thành phố Hà Nội" in html
    assert "Nhập toàn bộ" in html


@pytest.mark.parametrize("query", ["truc bach", "TRUC BẠCH", "  trúc   bạch "])
def test_lookup_is_accent_insensitive(client, query):
    html = client.get(reverse("places:lookup"), {"q": query}).content.decode()
    assert "Phường Ba Đình" in html


def test_lookup_partial_shows_note_and_kind(client):
    html = client.get(reverse("places:lookup"), {"q": "thuy khue"}).content.decode()
    assert "Nhập một phần" in html
    assert "Nhập một phần diện tích, toàn bộ dân số" in html


def test_lookup_by_new_name_lists_predecessors(client):
    html = client.get(reverse("places:lookup"), {"q": "Phường Ba Đình"}).content.decode()
    assert "Phường Quán Thánh" in html


def test_lookup_is_paginated_with_two_queries_on_units(client):
    # The site template (header, settings) makes queries of its own: count ours only.
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("places:lookup"), {"q": "phuong", "page": 2})
    assert response.status_code == 200
    ours = [q["sql"] for q in ctx.captured_queries if "places_" in q["sql"]]
    assert len(ours) == 2  # the count and the page, with every unit joined in
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 20
    assert "Trang 2" in response.content.decode()


def test_api_successions_and_units():
    api = TestClient(router)
    data = api.get("/successions", query_params={"q": "truc bach"}).json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["successor"]["name"] == "Phường Ba Đình"
    assert item["successor_province_name"] == "Thành phố Hà Nội"
    assert item["kind"] == "whole"
    params = {"q": "da nang", "level": "province", "edition": CURRENT_EDITION}
    data = api.get("/units", query_params=params).json()
    assert [u["name"] for u in data["items"]] == ["Thành phố Đà Nẵng"]
    hanoi = api.get("/units", query_params={"level": "province", "q": "ha noi",
                                                   "edition": CURRENT_EDITION}).json()["items"][0]
    children = api.get("/units", query_params={"parent": hanoi["id"]}).json()
    assert children["count"] == 126
    assert len(children["items"]) == 50  # paginated
