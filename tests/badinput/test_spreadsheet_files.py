"""The one reader behind every spreadsheet and CSV import, fed what people and attackers
really upload: Windows-1258 from Excel on a Vietnamese Windows, UTF-16, legacy font
encodings (TCVN3), binary junk, broken CSV, zip bombs, XML entities, huge files."""

import csv
import io
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from lms.core import spreadsheets
from lms.core.spreadsheets import export_cell, export_row, table_read, text_decode
from tests.badinput.files import TCVN3_SAMPLE, cp1258, xlsx, xlsx_bomb, xlsx_with_entities

NAMES = "Nguyễn Văn Ánh;Đặng Thị Hường;Lê Quỳnh Nga\nPhường Ba Đình;Xã Mường Lèo;Đặc khu Côn Đảo\n"


def test_windows_1258_from_excel_is_read_as_the_same_vietnamese_text():
    data = cp1258(NAMES)
    assert data != NAMES.encode("utf-8")  # really another encoding …
    assert b"\xd2" in data or b"\xde" in data or b"\xf2" in data  # … with combining tone marks
    rows = table_read(data=data, filename="ds.csv")
    assert rows == [line.split(";") for line in NAMES.strip().split("\n")]
    assert all(unicodedata.is_normalized("NFC", cell) for row in rows for cell in row)


def test_utf16_with_bom_and_utf8_with_bom_read_the_same():
    assert table_read(data=NAMES.encode("utf-16")) == table_read(data=("\ufeff" + NAMES).encode("utf-8"))


def test_mixed_nfc_and_nfd_cells_come_back_nfc_so_they_compare_equal():
    nfd = unicodedata.normalize("NFD", "Thôn Đồng Tâm")
    rows = table_read(data=f"Thôn Đồng Tâm,{nfd}\n".encode())
    assert rows[0][0] == rows[0][1]


@pytest.mark.parametrize(
    "data,words",
    [
        (TCVN3_SAMPLE, "TCVN3"),  # a legacy font encoding: refused, never guessed
        (b"\x00\x01\x02binary\x00junk", "nhị phân"),
        (b"   \n\n", "Tệp trống"),
        (b"a,b\n\"unterminated" + b"x" * (200 * 1024), "Tệp CSV bị lỗi"),  # field over csv's limit
    ],
)
def test_unreadable_text_files_get_a_clear_vietnamese_reason(data, words):
    with pytest.raises(ValidationError) as info:
        table_read(data=data, filename="ds.csv")
    assert words in info.value.messages[0]


def test_a_huge_file_is_refused_before_it_is_parsed():
    with pytest.raises(ValidationError) as info:
        table_read(data=b"a,b\n" * (2 * 1024 * 1024), filename="ds.csv")
    assert info.value.code == "too_large" and "Tệp quá lớn" in info.value.messages[0]


def test_a_zip_bomb_is_refused_before_openpyxl_unpacks_it():
    bomb = xlsx_bomb([["họ và tên"], ["An"]], megabytes=60)
    assert len(bomb) < 200 * 1024  # small on the wire …
    with pytest.raises(ValidationError) as info:
        table_read(data=bomb)
    assert info.value.code == "xlsx_too_large"
    # … and a ratio bomb under the absolute limit is refused too
    with pytest.raises(ValidationError) as info:
        spreadsheets.xlsx_check(xlsx_bomb([["a"]], megabytes=8))
    assert info.value.code == "xlsx_too_large"
    # a real workbook passes the same check
    spreadsheets.xlsx_check(xlsx([["họ và tên"], ["An"]] * 500))


def test_xml_entities_inside_a_workbook_are_refused_not_expanded():
    assert table_read(data=xlsx([["a", "b"], ["x", "y"]])) == [["a", "b"], ["x", "y"]]
    with pytest.raises(ValidationError) as info:
        table_read(data=xlsx_with_entities([["a", "b"], ["x", "y"]]))
    assert "Excel" in info.value.messages[0]


def test_windows_1258_detection_does_not_accept_latin1_symbols_or_marks_after_consonants():
    assert text_decode(cp1258("Hà Nội")) == "Hà Nội"
    for data in (b"Gi\xe1 100\xb0C \xa9", b"N\xdeg"):  # symbols; a tilde mark after "N"
        with pytest.raises(ValidationError):
            text_decode(data)


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x","bấm")', "+84 912 345 678", "-2+3", "@SUM(A1)"])
def test_exports_escape_formulas_and_imports_give_the_text_back(value):
    escaped = export_cell(value)
    assert escaped == "'" + value
    out = io.StringIO()
    csv.writer(out).writerow(export_row(["tên", value]))
    for data in (xlsx([export_row(["tên", value])]), out.getvalue().encode()):
        assert table_read(data=data) == [["tên", value]]


def test_xlsx_exports_escape_only_what_openpyxl_would_make_a_formula():
    from openpyxl import load_workbook

    row = export_row(["=1+1", "+84 912 345 678", "-2", "@x"], xlsx=True)
    assert row == ["'=1+1", "+84 912 345 678", "-2", "@x"]
    sheet = load_workbook(io.BytesIO(xlsx([row]))).active
    assert [c.data_type for c in sheet[1]] == ["s", "s", "s", "s"]  # text, never a formula
    assert [c.data_type for c in load_workbook(io.BytesIO(xlsx([["=1+1"]]))).active[1]] == ["f"]
    assert table_read(data=xlsx([row])) == [["=1+1", "+84 912 345 678", "-2", "@x"]]


def test_tab_and_carriage_return_starts_are_escaped_and_plain_values_kept():
    assert export_cell("\t=1") == "'\t=1" and export_cell("\r=1") == "'\r=1"
    assert export_row([3, 2.5, None, "Bình thường", "'quoted"]) == [3, 2.5, None, "Bình thường", "'quoted"]
