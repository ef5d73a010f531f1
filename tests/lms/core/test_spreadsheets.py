"""The one reader behind every spreadsheet import."""

import datetime
import io
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from lms.core.spreadsheets import table_read


def test_csv_with_bom_semicolons_and_nfd_comes_back_as_nfc_text():
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hằng")
    data = ("\ufeffhọ và tên;số điện thoại\n" + f" {nfd} ;0912345678\n").encode("utf-8")
    rows = table_read(data=data, filename="ds.csv")
    assert rows == [["họ và tên", "số điện thoại"], ["Nguyễn Thị Hằng", "0912345678"]]
    assert rows[1][0] == unicodedata.normalize("NFC", "Nguyễn Thị Hằng")


def test_xlsx_by_signature_with_dates_and_whole_numbers_and_a_row_limit():
    book = Workbook()
    sheet = book.active
    sheet.append(["ngày", "số"])
    sheet.append([datetime.datetime(2026, 6, 15), 12.0])
    sheet.append(["thừa", 1])
    out = io.BytesIO()
    book.save(out)
    rows = table_read(data=out.getvalue(), filename="upload", max_rows=2)
    assert rows == [["ngày", "số"], ["15/06/2026", "12"]]


def test_unreadable_files_get_a_vietnamese_reason():
    with pytest.raises(ValidationError, match="UTF-8"):
        table_read(data=b"H\xb5 Nam;C\xb5 Mau", filename="ds.csv")  # TCVN3 (ABC)
    with pytest.raises(ValidationError, match="Excel"):
        table_read(data=b"PK\x03\x04 not really a workbook", filename="ds.xlsx")
