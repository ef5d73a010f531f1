"""The loader on small hand-written files: what it does with rows it cannot match."""

import pytest
from django.core.management import CommandError, call_command

from lms.places.loading import LoadError, name_differences, units_load
from lms.places.models import AdministrativeUnit, UnitSuccession

pytestmark = pytest.mark.django_db

UNITS = """code,name,division_type,level,parent_code
01,Thành phố Hà Nội,thành phố trung ương,province,
00004,Phường Ba Đình,phường,commune,01
00008,Xã Hiệp Hoà,xã,commune,01
"""
HEADER = (
    "new_province_code,new_commune_code,new_commune_name,old_commune_code,old_commune_name,merge,"
    "old_district_code,old_district_name,old_province_code,old_province_name,source_new_code,note\n"
)
SUCCESSION = HEADER + (
    "01,00004,Phường Ba Đình,00004,Phường Trúc Bạch,whole,001,Quận Ba Đình,01,Thành phố Hà Nội,00004,\n"
    "01,00008,Xa Hiệp Hòa,00010,Xã Hiệp Hòa,partial,002,Huyện Thử,01,Thành phố Hà Nội,00099,\n"
    "01,00077,Phường Không Có,00011,Xã Cũ,whole,002,Huyện Thử,01,Thành phố Hà Nội,00077,\n"
)


@pytest.fixture
def files(tmp_path):
    units, succession = tmp_path / "units.csv", tmp_path / "succession.csv"
    units.write_text(UNITS, encoding="utf-8")
    succession.write_text(SUCCESSION, encoding="utf-8")
    return units, succession


def test_unmatched_rows_are_reported_not_guessed(files):
    units, succession = files
    report = units_load(units_file=units, succession_file=succession)
    assert len(report.unmatched) == 1
    assert "dòng 4" in report.unmatched[0] and "Phường Không Có" in report.unmatched[0]
    assert UnitSuccession.objects.count() == 2


def test_xa_and_tone_placement_and_reassigned_code(files):
    units, succession = files
    report = units_load(units_file=units, succession_file=succession)
    row = UnitSuccession.objects.get(predecessor__name="Xã Hiệp Hòa")
    assert row.successor.name == "Xã Hiệp Hoà" and row.kind == "partial"
    assert row.source_new_code == "00099" and row.is_flagged
    assert report.quirks["xa_spelling"] == 1
    assert report.quirks["code_reassigned"] == 1
    assert report.quirks["spelling_tone"] == 1


def test_command_prints_unmatched_and_counts(files, capsys):
    units, succession = files
    call_command("load_units", units_file=units, succession_file=succession)
    out = capsys.readouterr().out
    assert "tạo mới 1" in out
    assert "Không khớp được 1 dòng" in out
    call_command("load_units", units_file=units, succession_file=succession)
    assert "Không có gì thay đổi" in capsys.readouterr().out


def test_missing_file_or_column_is_a_clear_error(tmp_path, files):
    units, _succession = files
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("load_units", units_file=tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n01,X\n", encoding="utf-8")
    with pytest.raises(LoadError, match="thiếu cột"):
        units_load(units_file=bad, succession_file=bad)
    assert not AdministrativeUnit.objects.exists()


def test_name_differences_names_each_step():
    assert name_differences("Xã Chân Mây - Lăng Cô", "Xã Chân Mây – Lăng Cô") == {"dash"}
    assert name_differences("Xã Cư M'gar", "Xã Cư M’gar") == {"apostrophe"}
    assert name_differences("Phường  Tân An", "Phường Tân An") == {"spaces"}
    assert name_differences("Xã Hiệp Hòa", "Xã Hiệp Hoà") == {"tone"}
    assert name_differences("Xã Đắk Song", "Xã Đắk song") == {"case"}
    import unicodedata

    assert name_differences(unicodedata.normalize("NFD", "Phường Từ Sơn"), "Phường Từ Sơn") == {"nfc"}
    assert name_differences("Xã A", "Xã A") == set()
