"""The audit log as CSV and XLSX. Every text cell is guarded against formula injection:
a value a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a
carriage return) is written with a leading apostrophe, so it shows as typed."""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .selectors import user_names

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 100_000
CHUNK = 2_000


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _header() -> list[str]:
    return [
        _("Thời điểm"),
        _("Mã người thực hiện"),
        _("Người thực hiện"),
        _("Hành động"),
        _("Loại đối tượng"),
        _("Mã đối tượng"),
        _("Mục đích"),
        _("Địa chỉ trang"),
        _("Địa chỉ IP"),
    ]


def _rows(events):
    events = events[:MAX_ROWS]
    batch = []
    for event in events.iterator(chunk_size=CHUNK):
        batch.append(event)
        if len(batch) == CHUNK:
            yield from _format(batch)
            batch = []
    yield from _format(batch)


def _format(batch):
    names = user_names(e.actor_id for e in batch)
    for e in batch:
        yield [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            "" if e.actor_id is None else str(e.actor_id),
            names.get(e.actor_id, ""),
            str(e.get_action_display()),
            e.target_type,
            e.target_id,
            e.purpose,
            e.path,
            e.ip or "",
        ]


def events_csv(events) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    for row in _rows(events):
        writer.writerow([safe_cell(c) for c in row])
    # With a BOM: Excel then reads the Vietnamese as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def events_xlsx(events) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Nhật ký"))
    sheet.append(_header())
    for row in _rows(events):
        sheet.append([safe_cell(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
