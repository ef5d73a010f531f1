"""Agency import (out-of-order parents, errors, moves, idempotency) and the demo agencies."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from lms.organisations.demo import DEMO_AGENCIES, demo_agencies_create
from lms.organisations.models import Agency
from lms.organisations.services import agency_import_csv, agency_move
from tests.factories import make_agency, make_commune, make_province

pytestmark = pytest.mark.django_db

# Children first, parents last: the importer must order them itself.
OUT_OF_ORDER = """code,name,parent_code,unit_code
SNV-VP,Văn phòng Sở,SNV,
SNV-P1,Phòng Công chức,SNV,01
SNV-P1-T1,Tổ một,SNV-P1,
SNV,Sở Nội vụ Hà Nội,,01
"""


@pytest.fixture
def hanoi():
    province = make_province("Thành phố Hà Nội", code="01")
    make_commune(province, "Phường Ba Đình", code="00004")
    return province


def by_code():
    return {a.code: a for a in Agency.objects.all()}


def assert_paths_consistent():
    for agency in Agency.objects.select_related("parent"):
        expected = f"{agency.parent.path}{agency.pk}/" if agency.parent_id else f"/{agency.pk}/"
        assert agency.path == expected, agency.code


def test_import_with_parents_after_children(hanoi):
    report = agency_import_csv(data=OUT_OF_ORDER.encode("utf-8-sig"))
    assert report.ok and report.written and report.count("create") == 4
    agencies = by_code()
    assert agencies["SNV-P1-T1"].parent == agencies["SNV-P1"]
    assert agencies["SNV-P1"].parent == agencies["SNV"]
    assert agencies["SNV"].unit == hanoi and agencies["SNV-VP"].unit is None
    assert_paths_consistent()
    assert set(Agency.objects.within(agencies["SNV"]).values_list("code", flat=True)) == set(agencies)


def test_reimport_is_idempotent_and_updates_names(hanoi):
    agency_import_csv(data=OUT_OF_ORDER)
    again = agency_import_csv(data=OUT_OF_ORDER)
    assert again.ok and again.count("unchanged") == 4 and again.count("create") == 0
    renamed = agency_import_csv(data=OUT_OF_ORDER.replace("Tổ một", "Tổ Một (đổi tên)"))
    assert renamed.count("update") == 1
    assert by_code()["SNV-P1-T1"].name == "Tổ Một (đổi tên)"
    assert Agency.objects.count() == 4


def test_moving_an_agency_rewrites_its_subtree(hanoi):
    agency_import_csv(data=OUT_OF_ORDER)
    moved = OUT_OF_ORDER.replace("SNV-P1,Phòng Công chức,SNV,01", "SNV-P1,Phòng Công chức,SNV-VP,01")
    report = agency_import_csv(data=moved)
    assert report.ok and report.count("update") == 1
    agencies = by_code()
    assert agencies["SNV-P1"].parent == agencies["SNV-VP"]
    vp, p1, t1 = agencies["SNV-VP"], agencies["SNV-P1"], agencies["SNV-P1-T1"]
    assert t1.path == f"{vp.path}{p1.pk}/{t1.pk}/"
    assert_paths_consistent()
    assert set(Agency.objects.within(agencies["SNV-VP"]).values_list("code", flat=True)) == {
        "SNV-VP", "SNV-P1", "SNV-P1-T1"
    }


def test_parent_already_in_the_database(hanoi):
    root = make_agency("Bộ Nội vụ", code="BNV")
    report = agency_import_csv(data="code,name,parent_code\nVP,Văn phòng Bộ,BNV\n")
    assert report.ok
    assert by_code()["VP"].path == f"{root.path}{by_code()['VP'].pk}/"


def test_errors_are_reported_row_by_row_and_nothing_is_written(hanoi):
    data = (
        "code,name,parent_code,unit_code\n"
        "A,Cơ quan A,,\n"
        "B,,A,\n"              # no name
        "C,Cơ quan C,KHONG-CO,\n"  # unknown parent
        "D,Cơ quan D,,99\n"    # unknown unit
        "A,Cơ quan A lặp,,\n"  # duplicate code
        "E,Cơ quan E,F,\n"     # cycle E → F → E
        "F,Cơ quan F,E,\n"
        "G,Cơ quan G,C,\n"     # parent has an error
    )
    report = agency_import_csv(data=data)
    assert not report.ok and not report.written
    lines = {r.line: r for r in report.rows}
    assert lines[2].status == "create"
    assert "thiếu tên" in lines[3].message
    assert "KHONG-CO" in lines[4].message
    assert "không có đơn vị hành chính mã 99" in lines[5].message
    assert "lặp lại" in lines[6].message and "dòng 2" in lines[6].message
    assert "vòng lặp" in lines[7].message and "vòng lặp" in lines[8].message
    assert "có lỗi" in lines[9].message
    assert not Agency.objects.exists()


def test_cycle_through_the_database_rolls_everything_back(hanoi):
    agency_import_csv(data="code,name,parent_code\nA,Cơ quan A,\nB,Cơ quan B,A\n")
    # A under B (in the database, B is under A): found on write, and the new row X too is undone.
    report = agency_import_csv(data="code,name,parent_code\nX,Cơ quan X,\nA,Cơ quan A,B\n")
    assert not report.ok and not report.written
    assert "vòng lặp" in [r for r in report.rows if r.code == "A"][0].message
    assert not Agency.objects.filter(code="X").exists()
    assert by_code()["A"].parent is None


def test_agency_move_refuses_own_descendant():
    a = make_agency("A", code="A")
    b = make_agency("B", parent=a, code="B")
    with pytest.raises(ValidationError, match="vòng lặp"):
        agency_move(agency=a, parent=b)


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"\xff\xfe\x00", "UTF-8"), ("ten,ma\n", "Thiếu cột"), ("code,name,parent_code\n", "không có dòng")],
)
def test_bad_files(data, message):
    report = agency_import_csv(data=data)
    assert not report.ok and message in " ".join(report.errors)


def test_command(tmp_path, hanoi, capsys):
    path = tmp_path / "agencies.csv"
    path.write_text(OUT_OF_ORDER, encoding="utf-8")
    call_command("import_agencies", str(path), "--dry-run")
    assert "tạo mới 4" in capsys.readouterr().out and not Agency.objects.exists()
    call_command("import_agencies", str(path))
    assert Agency.objects.count() == 4
    call_command("import_agencies", str(path))
    assert "Không có gì thay đổi" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,parent_code\nZ,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="không ghi gì"):
        call_command("import_agencies", str(bad))
    assert "thiếu tên" in capsys.readouterr().err
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("import_agencies", str(tmp_path / "none.csv"))


def test_demo_agencies_are_idempotent(hanoi):
    first = demo_agencies_create()
    second = demo_agencies_create()
    assert [a.pk for a in first] == [a.pk for a in second]
    snv = Agency.objects.get(code="DEMO-HN-SNV")
    children = [code for code, _name, parent, _unit in DEMO_AGENCIES if parent == "DEMO-HN-SNV"]
    assert snv.unit == hanoi and sorted(snv.children.values_list("code", flat=True)) == sorted(children)
    assert len(children) >= 2
    assert_paths_consistent()
