"""Reading the spreadsheets people upload (staff lists, teams …): one reader for every
import, so each one accepts the same files and refuses them with the same words.

CSV in UTF-8 (with or without the BOM Excel writes; comma, semicolon or tab, told from
the first line) or the first sheet of an XLSX workbook (told by name or by its zip
signature). Cells come back as stripped strings in NFC (spreadsheets from macOS often
carry NFD); dates as dd/mm/yyyy, whole numbers without ".0".
"""

import csv
import datetime
import io
import itertools
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def cell_text(value) -> str:
    """One cell as the text a person typed."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def table_read(*, data: bytes, filename: str = "", max_rows: int | None = None) -> list[list[str]]:
    """Rows of cells from a CSV or XLSX upload (at most `max_rows` rows when given).
    ValidationError, in Vietnamese, when the file cannot be read."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book.worksheets[0]
            rows = [
                [cell_text(c) for c in row] for row in sheet.iter_rows(values_only=True, max_row=max_rows)
            ]
            book.close()
        except Exception:  # noqa: BLE001 - any unreadable workbook gets the same answer
            raise ValidationError(_("Không đọc được tệp Excel. Hãy lưu lại dạng .xlsx.")) from None
        return rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("Tệp không phải văn bản UTF-8. Hãy lưu lại dưới dạng “CSV UTF-8”.")) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ("\t" if "\t" in first else ",")
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [[cell_text(c) for c in row] for row in itertools.islice(rows, max_rows)]
