"""Villages: create, CSV import (all or nothing), merge, split, and the officer pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from lms.accounts.models import Role
from lms.accounts.services import role_assign
from lms.places.models import AdministrativeUnit, UnitSuccession
from lms.places.selectors import village_history, villages_of
from lms.places.services import village_create, village_import_csv, village_merge, village_split
from tests.factories import UserFactory, make_commune, make_province

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    province = make_province("Thành phố Hà Nội", code="01")
    commune = make_commune(province, "Phường Ba Đình", code="00004")
    other = make_commune(province, "Phường Hoàn Kiếm", code="00070")
    return {"province": province, "commune": commune, "other": other}


def officer_of(unit):
    user = UserFactory()
    role_assign(user=user, role=Role.COMMUNE_OFFICER, unit=unit, valid_from=timezone.localdate())
    return user


def names(qs):
    return [v.name for v in qs]


# --- services ----------------------------------------------------------------------------


def test_village_create_sets_path_and_refuses_duplicates(place):
    commune = place["commune"]
    village = village_create(commune=commune, name="  Tổ dân phố  số 1 ", division_type="To dan pho")
    assert village.name == "Tổ dân phố số 1"
    assert village.division_type == "tổ dân phố"
    assert village.path == f"{commune.path}{village.pk}/"
    with pytest.raises(ValidationError, match="đã có"):
        village_create(commune=commune, name="TỔ DÂN PHỐ SỐ 1")
    # The same name in another commune is fine.
    village_create(commune=place["other"], name="Tổ dân phố số 1")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"name": ""}, "nhập tên"), ({"name": "Thôn A", "division_type": "quận"}, "không hợp lệ")],
)
def test_village_create_bad_input(place, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        village_create(commune=place["commune"], **kwargs)


def test_village_only_under_a_commune(place):
    with pytest.raises(ValidationError):
        village_create(commune=place["province"], name="Thôn A")


GOOD_CSV = (
    "commune_code,name,type\n"
    "00004,Tổ dân phố số 1,tổ dân phố\n"
    "4,Tổ dân phố số 2,to dan pho\n"  # leading zeros lost in a spreadsheet
    "00070,Thôn Đông,thôn\n"
)


def test_import_good_file_then_again_is_idempotent(place):
    scope = AdministrativeUnit.objects.filter(pk__in=[place["commune"].pk, place["other"].pk])
    report = village_import_csv(data=GOOD_CSV.encode("utf-8-sig"), communes=scope)
    assert report.ok and report.written
    assert report.n_create == 3
    assert names(villages_of(commune=place["commune"])) == ["Tổ dân phố số 1", "Tổ dân phố số 2"]
    again = village_import_csv(data=GOOD_CSV, communes=scope)
    assert again.ok and again.n_create == 0 and again.n_exists == 3
    assert AdministrativeUnit.objects.filter(level="village").count() == 3


def test_import_preview_writes_nothing(place):
    scope = AdministrativeUnit.objects.filter(pk=place["commune"].pk)
    data = "commune_code,name,type\n00004,Thôn A,thôn\n"
    report = village_import_csv(data=data, communes=scope, dry_run=True)
    assert report.ok and not report.written and report.n_create == 1
    assert not AdministrativeUnit.objects.filter(level="village").exists()


def test_import_bad_rows_write_nothing_and_are_reported_row_by_row(place):
    scope = AdministrativeUnit.objects.filter(pk=place["commune"].pk)
    data = (
        "commune_code,name,type\n"
        "00004,Thôn Tốt,thôn\n"
        "00070,Thôn Ngoài,thôn\n"  # another commune: outside the importer's scope
        "99999,Thôn Lạ,thôn\n"
        "00004,,thôn\n"
        "00004,Thôn Tốt,thôn\n"  # repeated in the file
        "00004,Thôn X,quận\n"
    )
    report = village_import_csv(data=data, communes=scope)
    assert not report.ok and not report.written
    by_line = {r.line: r for r in report.rows}
    assert by_line[2].status == "create"
    assert "phạm vi" in by_line[3].message
    assert "không có xã nào" in by_line[4].message
    assert "thiếu tên" in by_line[5].message
    assert "lặp lại" in by_line[6].message
    assert "không hợp lệ" in by_line[7].message
    assert not AdministrativeUnit.objects.filter(level="village").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"\xff\xfe\x00ba", "UTF-8"),  # a UTF-16 mark, then half a character
     ("", "trống"), ("ten,loai\nA,thôn\n", "Thiếu cột"),
     ("commune_code,name\n", "không có dòng")],
)
def test_import_bad_files(place, data, message):
    scope = AdministrativeUnit.objects.filter(pk=place["commune"].pk)
    report = village_import_csv(data=data, communes=scope)
    assert not report.ok and message in " ".join(report.errors)


def test_merge_ends_old_villages_and_records_history(place):
    commune = place["commune"]
    a = village_create(commune=commune, name="Tổ 1", division_type="tổ")
    b = village_create(commune=commune, name="Tổ 2", division_type="tổ")
    c = village_create(commune=commune, name="Tổ 3", division_type="tổ")
    today = timezone.localdate()
    merged = village_merge(villages=[a, b], name="Tổ 1", division_type="tổ", note="QĐ 12/UBND")
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.valid_to == b.valid_to == today - datetime.timedelta(days=1)
    assert merged.valid_from == today and merged.path == f"{commune.path}{merged.pk}/"
    assert names(villages_of(commune=commune)) == ["Tổ 1", "Tổ 3"]
    assert {v.pk for v in villages_of(commune=commune, on=today - datetime.timedelta(days=1))} == {
        a.pk, b.pk, c.pk
    }
    rows = UnitSuccession.objects.filter(successor=merged)
    assert {r.predecessor_id for r in rows} == {a.pk, b.pk}
    assert {r.kind for r in rows} == {"village_merge"} and rows[0].note == "QĐ 12/UBND"
    assert village_history(commune=commune).count() == 2
    with pytest.raises(ValidationError, match="không còn hiệu lực"):
        village_merge(villages=[a, c], name="Tổ mới")


def test_merge_rules(place):
    commune = place["commune"]
    a = village_create(commune=commune, name="Tổ 1", division_type="tổ")
    b = village_create(commune=commune, name="Tổ 2", division_type="tổ")
    c = village_create(commune=commune, name="Tổ 3", division_type="tổ")
    x = village_create(commune=place["other"], name="Tổ 9", division_type="tổ")
    with pytest.raises(ValidationError, match="ít nhất hai"):
        village_merge(villages=[a, a], name="Tổ 1")
    with pytest.raises(ValidationError, match="cùng một xã"):
        village_merge(villages=[a, x], name="Tổ 1")
    with pytest.raises(ValidationError, match="đã có"):
        village_merge(villages=[a, b], name="Tổ 3")  # the name of a village not merged
    with pytest.raises(ValidationError, match="sau hôm nay"):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        village_merge(villages=[a, b], name="Tổ 1", effective_date=tomorrow)
    assert villages_of(commune=commune).count() == 3 and c.valid_to is None


def test_split_keeps_history(place):
    commune = place["commune"]
    old = village_create(commune=commune, name="Thôn Lớn")
    parts = village_split(village=old, parts=[("Thôn Lớn", "thôn"), ("Thôn Mới", "thôn")], note="QĐ 5")
    old.refresh_from_db()
    assert old.valid_to == timezone.localdate() - datetime.timedelta(days=1)
    assert names(villages_of(commune=commune)) == ["Thôn Lớn", "Thôn Mới"]
    assert old.pk not in {p.pk for p in parts}
    rows = UnitSuccession.objects.filter(predecessor=old)
    assert {r.successor_id for r in rows} == {p.pk for p in parts}
    assert all(r.kind == "village_split" and r.is_partial for r in rows)
    with pytest.raises(ValidationError, match="lặp lại"):
        village_split(village=parts[0], parts=[("Thôn A", "thôn"), ("thôn a", "thôn")])
    with pytest.raises(ValidationError, match="ít nhất hai"):
        village_split(village=parts[0], parts=[("Thôn A", "thôn")])


# --- pages --------------------------------------------------------------------------------


def test_pages_need_login(client, place):
    url = reverse("places:village_list", args=[place["commune"].pk])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ["village_list", "village_create", "village_import", "village_merge"])
def test_officer_of_another_commune_is_refused(client, place, name):
    client.force_login(officer_of(place["other"]))
    response = client.get(reverse(f"places:{name}", args=[place["commune"].pk]))
    assert response.status_code == 403
    assert "Bạn không được giao quản lý Phường Ba Đình" in response.content.decode()
    response = client.post(reverse("places:village_create", args=[place["commune"].pk]), {"name": "Thôn X"})
    assert response.status_code == 403
    assert not AdministrativeUnit.objects.filter(level="village").exists()


def test_split_of_a_village_of_another_commune_is_404(client, place):
    village = village_create(commune=place["other"], name="Thôn Khác")
    client.force_login(officer_of(place["commune"]))
    url = reverse("places:village_split", args=[place["commune"].pk, village.pk])
    assert client.get(url).status_code == 404


def test_team_member_of_a_village_cannot_manage_the_commune(client, place):
    village = village_create(commune=place["commune"], name="Thôn A")
    member = UserFactory()
    role_assign(user=member, role=Role.TEAM_MEMBER, unit=village, valid_from=timezone.localdate())
    client.force_login(member)
    assert client.get(reverse("places:village_list", args=[place["commune"].pk])).status_code == 403


def test_unknown_commune_is_404(client, place):
    client.force_login(officer_of(place["commune"]))
    assert client.get(reverse("places:village_list", args=[999999])).status_code == 404
    assert client.get(reverse("places:village_list", args=[place["province"].pk])).status_code == 404


def test_officer_creates_lists_merges_and_splits(client, place):
    commune = place["commune"]
    client.force_login(officer_of(commune))
    managed = client.get(reverse("places:commune_list")).content.decode()
    assert reverse("places:village_list", args=[commune.pk]) in managed
    create = reverse("places:village_create", args=[commune.pk])
    assert client.post(create, {"name": "Thôn A", "division_type": "thôn"}).status_code == 302
    assert client.post(create, {"name": "Thôn B", "division_type": "thôn"}).status_code == 302
    duplicate = client.post(create, {"name": "thôn a", "division_type": "thôn"})
    assert duplicate.status_code == 400 and "Xã đã có" in duplicate.content.decode()
    listing = client.get(reverse("places:village_list", args=[commune.pk])).content.decode()
    assert "Thôn A" in listing and "Thôn B" in listing
    ids = [v.pk for v in villages_of(commune=commune)]
    response = client.post(
        reverse("places:village_merge", args=[commune.pk]),
        {"villages": ids, "name": "Thôn AB", "division_type": "thôn", "note": "QĐ 1"},
    )
    assert response.status_code == 302
    merged = villages_of(commune=commune).get()
    assert merged.name == "Thôn AB"
    response = client.post(
        reverse("places:village_split", args=[commune.pk, merged.pk]),
        {"names": "Thôn A1\nThôn A2\n", "division_type": "thôn"},
    )
    assert response.status_code == 302
    assert names(villages_of(commune=commune)) == ["Thôn A1", "Thôn A2"]
    history = client.get(reverse("places:village_list", args=[commune.pk])).content.decode()
    assert "Lịch sử gộp, tách" in history and "Thôn AB → Thôn A1" in history


def test_import_page_preview_then_confirm(client, place):
    from django.core.files.uploadedfile import SimpleUploadedFile

    commune = place["commune"]
    client.force_login(officer_of(commune))
    url = reverse("places:village_import", args=[commune.pk])
    upload = SimpleUploadedFile("thon.csv", "commune_code,name,type\n00004,Thôn Một,thôn\n".encode())
    preview = client.post(url, {"file": upload, "preview": "1"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "sẽ thêm" in html and "Xác nhận nhập" in html
    assert not AdministrativeUnit.objects.filter(level="village").exists()
    confirm = client.post(url, {"csv_text": preview.context["csv_text"], "confirm": "1"})
    assert confirm.status_code == 302
    assert names(villages_of(commune=commune)) == ["Thôn Một"]


def test_import_page_reports_bad_rows(client, place):
    from django.core.files.uploadedfile import SimpleUploadedFile

    commune = place["commune"]
    client.force_login(officer_of(commune))
    upload = SimpleUploadedFile("thon.csv", "commune_code,name,type\n00070,Thôn Ngoài,thôn\n".encode())
    response = client.post(reverse("places:village_import", args=[commune.pk]), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "không thuộc phạm vi bạn quản lý" in html and "chưa dòng nào được ghi" in html
    assert "Xác nhận nhập" not in html
    empty = client.post(reverse("places:village_import", args=[commune.pk]), {})
    assert empty.status_code == 400 and "Hãy chọn một tệp CSV" in empty.content.decode()
    blank = client.post(reverse("places:village_create", args=[commune.pk]), {})
    assert blank.status_code == 400 and "errorlist" in blank.content.decode()
