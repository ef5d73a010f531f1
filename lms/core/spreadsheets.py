"""Reading the spreadsheets people upload (staff lists, teams …): one reader for every
import, so each one accepts the same files and refuses them with the same words.

CSV in UTF-8 (with or without the BOM Excel writes), UTF-16 with its BOM (Excel's
"Unicode text") or Windows-1258 (what Excel on a Vietnamese Windows writes as "CSV"),
comma, semicolon or tab told from the first line; or the first sheet of an XLSX workbook
(told by name or by its zip signature). Cells come back as stripped strings in NFC
(spreadsheets from macOS often carry NFD); dates as dd/mm/yyyy, whole numbers without
".0".

Hostile files get the same plain refusal: a workbook whose parts would unpack to more than
XLSX_MAX_UNPACKED bytes or at a ratio above XLSX_MAX_RATIO (a zip bomb) is refused before
openpyxl opens it; XML inside workbooks is parsed by defusedxml (openpyxl uses it when it is
installed), so entity declarations are refused. Exports pass every cell through
`export_cell`, so a value a user typed (a household label, a name) can never become a
formula in Excel; `cell_text` undoes that escape when the file comes back.
"""

import csv
import datetime
import io
import itertools
import unicodedata
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
XLSX_MAX_UNPACKED = 50 * 1024 * 1024
XLSX_MAX_RATIO = 200
# A cell a spreadsheet program would run as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Windows-1258 writes Vietnamese as base letters followed by combining tone marks.
_CP1258_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_VOWELS = set("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")


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
    text = unicodedata.normalize("NFC", str(value)).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in _FORMULA_START:
        text = text[1:]  # our own export escape (see export_cell)
    return text


def export_cell(value, *, xlsx: bool = False):
    """A value safe to write into an export. In a CSV, text that a spreadsheet would take
    for a formula (=, +, -, @, tab, CR first) gets a leading apostrophe (so does "+84 912…"
    or "-1" written as text: shown, never run). In an XLSX written with openpyxl a text cell
    stays text whatever its first character, except that openpyxl turns text starting with
    "=" into a formula: only that gets the apostrophe. Numbers, dates and other values are
    kept as they are."""
    if isinstance(value, str) and value.startswith("=" if xlsx else _FORMULA_START):
        return "'" + value
    return value


def export_row(values, *, xlsx: bool = False) -> list:
    return [export_cell(v, xlsx=xlsx) for v in values]


def _plausible_cp1258(text: str) -> bool:
    """Vietnamese in Windows-1258: precomposed letters where the code page has them and
    combining tone marks after a vowel otherwise. Text in another legacy encoding (TCVN3,
    VNI) read as Windows-1258 shows symbols (¨ © ª … ¿) or marks after consonants."""
    for index, char in enumerate(text):
        if "\u00a1" <= char <= "\u00bf" or (char < " " and char not in "\t\r\n"):
            return False
        if char in _CP1258_MARKS and (index == 0 or text[index - 1] not in _VOWELS):
            return False
    return True


def text_decode(data: bytes) -> str:
    """The text of an uploaded text file, in NFC. UTF-8 (BOM or not), UTF-16 with a BOM,
    or Windows-1258 Vietnamese; anything else is a ValidationError in Vietnamese."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return unicodedata.normalize("NFC", data.decode("utf-16"))
        except UnicodeDecodeError:
            pass
    else:
        try:
            return unicodedata.normalize("NFC", data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1258")
            except UnicodeDecodeError:
                text = ""
            if _plausible_cp1258(text):
                return unicodedata.normalize("NFC", text)
    raise ValidationError(
        _(
            "Không đọc được chữ trong tệp (không phải UTF-8 hay Windows-1258; có thể là "
            "TCVN3 hoặc VNI). Hãy lưu lại dưới dạng “CSV UTF-8” rồi tải lên lại."
        ),
        code="encoding",
    )


def xlsx_check(data: bytes) -> None:
    """Refuse, before opening it, a workbook that is not a zip or would unpack to too much
    (a zip bomb). ValidationError in Vietnamese."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ValidationError(_("Không đọc được tệp Excel. Hãy lưu lại dạng .xlsx."), code="xlsx") from None
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if unpacked > XLSX_MAX_UNPACKED or (unpacked > 1024 * 1024 and unpacked / packed > XLSX_MAX_RATIO):
        raise ValidationError(
            _("Tệp Excel giải nén ra quá lớn (tối đa %(mb)s MB). Hãy chia nhỏ tệp.")
            % {"mb": XLSX_MAX_UNPACKED // (1024 * 1024)},
            code="xlsx_too_large",
        )


def table_read(
    *, data: bytes, filename: str = "", max_rows: int | None = None, max_bytes: int = MAX_UPLOAD_BYTES
) -> list[list[str]]:
    """Rows of cells from a CSV or XLSX upload (at most `max_rows` rows when given).
    ValidationError, in Vietnamese, when the file cannot be read."""
    if len(data) > max_bytes:
        raise ValidationError(
            _("Tệp quá lớn (tối đa %(mb)s MB). Hãy chia nhỏ tệp.") % {"mb": max_bytes // (1024 * 1024)},
            code="too_large",
        )
    if not data.strip():
        raise ValidationError(_("Tệp trống."), code="empty")
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        xlsx_check(data)
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
    text = text_decode(data)
    if "\0" in text:
        raise ValidationError(_("Tệp này không phải tệp CSV (có ký tự nhị phân)."), code="binary")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ("\t" if "\t" in first else ",")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [[cell_text(c) for c in row] for row in itertools.islice(rows, max_rows)]
    except csv.Error as exc:
        raise ValidationError(
            _("Tệp CSV bị lỗi ở dòng %(n)s: %(e)s") % {"n": rows.line_num, "e": exc}, code="csv"
        ) from None
