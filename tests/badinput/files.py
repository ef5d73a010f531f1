"""Hostile and badly encoded files, built in memory, shared by the bad-input tests."""

import io
import unicodedata
import zipfile

from openpyxl import Workbook

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """`text` the way Excel on a Vietnamese Windows saves it: Windows-1258, with the
    letters the code page has precomposed (ă, â, ê, ô, ơ, ư, đ, à, á …) and the other tone
    marks as combining characters after the vowel. (Python's codec does not decompose.)"""
    out = []
    for cluster in _clusters(unicodedata.normalize("NFD", text)):
        base, marks = cluster[0], cluster[1:]
        tones = "".join(m for m in marks if m in TONE_MARKS)
        shape = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in TONE_MARKS))
        whole = unicodedata.normalize("NFC", shape + tones)
        try:
            whole.encode("cp1258")
            out.append(whole)
        except UnicodeEncodeError:
            out.append(shape + tones)
    return "".join(out).encode("cp1258")


def _clusters(text: str):
    cluster = ""
    for char in text:
        if unicodedata.combining(char) and cluster:
            cluster += char
        else:
            if cluster:
                yield cluster
            cluster = char
    if cluster:
        yield cluster


# "Nguyễn Văn An" typed with a TCVN3 (ABC) font: bytes that are letters in TCVN3 but
# symbols (and marks after consonants) in Windows-1258.
TCVN3_SAMPLE = b"Nguy\xd6n V\xb8n An,Th\xd9 tr\xa5n"


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_bomb(rows: list[list], *, megabytes: int = 60) -> bytes:
    """A real workbook with one extra part that unpacks to `megabytes` of zeros (a few
    tens of kilobytes packed)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(rows)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/media/padding.bin", b"\0" * (megabytes * 1024 * 1024))
    return out.getvalue()


def xlsx_with_entities(rows: list[list]) -> bytes:
    """A workbook whose sheet XML declares and use entities (a small billion laughs and
    an external file): a parser that expands them would put /etc/passwd in a cell."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(rows)))
    out = io.BytesIO()
    doctype = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
                data = doctype + body.replace(b"<t>", b"<t>&b;&xxe;", 1)
            target.writestr(item, data)
    return out.getvalue()
