"""CSV and XLSX: one question per row, the same columns in both.

The first row names the columns (any order; `type` and `text` are required, unknown
names are refused so that a typo is not silently ignored):

| column          | meaning                                                                |
|-----------------|------------------------------------------------------------------------|
| type            | single_choice, multiple_choice, true_false, matching, ordering,        |
|                 | numeric, short_text                                                    |
| category        | category path from the root, names separated by "/" ("//" = a slash)  |
| title           | a name for the report only (not stored)                                |
| text            | the question                                                           |
| options         | list (see below): choices; ordering items in the right order;          |
|                 | matching pairs "prompt -> answer" (" -> answer" alone: a distractor);  |
|                 | numeric values; short-text accepted variants                           |
| correct         | choice questions: positions (1-based) of the right options, e.g. "1|3";|
|                 | true_false: Đúng / Sai (also true/false, 1/0)                          |
| weights         | list of shares of the points per option (−1…1; choices), or per        |
|                 | numeric value / short-text variant (0…1); empty = default              |
| tolerance       | list of tolerances per numeric value (empty = 0)                       |
| option_feedback | list of feedback texts per choice                                      |
| level           | 1–8 (empty = 1)                                                        |
| competences     | list of qualified competence codes, e.g. "digcomp-2.2:4.2"             |
| points          | default points (empty = 1)                                             |
| feedback        | general feedback shown after submission                                |
| explanation     | explanation                                                            |

A *list* separates its entries with "|"; write "\\|" for a "|" inside an entry and
"\\\\" for a backslash.

CSV files are UTF-8, with or without a byte-order mark, separated by commas (or
semicolons, as some spreadsheet programs write). On export every cell that begins with
= + - @ (or a tab, or an apostrophe) is prefixed with an apostrophe so a spreadsheet never
runs it as a formula; on import one leading apostrophe is removed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lms.core.spreadsheets import text_decode, xlsx_check

from .neutral import (
    ChoiceData,
    FileProblem,
    ParseProblem,
    QuestionData,
    T,
    join_path,
    nfc,
    split_path,
)

COLUMNS = [
    "type",
    "category",
    "title",
    "text",
    "options",
    "correct",
    "weights",
    "tolerance",
    "option_feedback",
    "level",
    "competences",
    "points",
    "feedback",
    "explanation",
]
REQUIRED = {"type", "text"}
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r", "'")
TRUE_WORDS = {"đúng", "true", "t", "1", "yes", "có"}
FALSE_WORDS = {"sai", "false", "f", "0", "no", "không"}


# --- lists and cells -----------------------------------------------------------------------


def join_list(values: Iterable[object]) -> str:
    return "|".join(str(v).replace("\\", "\\\\").replace("|", "\\|") for v in values)


def split_list(raw: str) -> list[str]:
    if not raw.strip():
        return []
    out, current, escaped = [], [], False
    for ch in raw:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            out.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if escaped:
        current.append("\\")
    out.append("".join(current).strip())
    return out


def guard_cell(value: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula (and an apostrophe, so that
    unguarding gives back exactly the text)."""
    return "'" + value if value.startswith(DANGEROUS_START) else value


def unguard_cell(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


# --- writing -------------------------------------------------------------------------------


def question_row(q: QuestionData) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        type=q.type,
        category=join_path(q.category),
        title=q.title,
        text=q.text,
        level=str(q.level),
        competences=join_list(q.competences),
        points=_num(q.points),
        feedback=q.feedback,
        explanation=q.explanation,
    )
    if q.type in (T.SINGLE_CHOICE, T.MULTIPLE_CHOICE):
        row["options"] = join_list(c.text for c in q.choices)
        row["correct"] = join_list(i for i, c in enumerate(q.choices, 1) if c.correct)
        if any(c.weight is not None for c in q.choices):
            row["weights"] = join_list("" if c.weight is None else _num(c.weight) for c in q.choices)
        if any(c.feedback for c in q.choices):
            row["option_feedback"] = join_list(c.feedback for c in q.choices)
    elif q.type == T.TRUE_FALSE:
        row["correct"] = "Đúng" if q.correct else "Sai"
    elif q.type == T.ORDERING:
        row["options"] = join_list(q.items)
    elif q.type == T.MATCHING:
        row["options"] = join_list(f"{p} -> {a}" if p else f" -> {a}" for p, a in q.pairs)
    elif q.type == T.NUMERIC:
        row["options"] = join_list(_num(v) for v, _t, _f in q.numeric)
        row["tolerance"] = join_list(_num(t) for _v, t, _f in q.numeric)
        row["weights"] = join_list(_num(f) for _v, _t, f in q.numeric)
    elif q.type == T.SHORT_TEXT:
        row["options"] = join_list(t for t, _f in q.accepted)
        row["weights"] = join_list(_num(f) for _t, f in q.accepted)
    return {k: guard_cell(v) for k, v in row.items()}


def write_csv(questions: Iterable[QuestionData]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for q in questions:
        writer.writerow(question_row(q))
    # With a BOM, so that Excel opens the Vietnamese text as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(questions: Iterable[QuestionData]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("questions")
    sheet.append(COLUMNS)
    for q in questions:
        row = question_row(q)
        sheet.append([row[c] for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading -------------------------------------------------------------------------------


def _check_header(header: list[str]) -> list[str]:
    names = [nfc(h).strip().lower().lstrip("\ufeff") for h in header]
    unknown = [n for n in names if n and n not in COLUMNS]
    missing = sorted(REQUIRED - set(names))
    if unknown or missing:
        parts = []
        if missing:
            parts.append(_("thiếu cột: %(cols)s") % {"cols": ", ".join(missing)})
        if unknown:
            parts.append(_("cột không biết: %(cols)s") % {"cols": ", ".join(unknown)})
        raise FileProblem(
            _("Dòng tiêu đề không đúng (%(detail)s). Các cột dùng được: %(cols)s.")
            % {"detail": "; ".join(parts), "cols": ", ".join(COLUMNS)}
        )
    return names


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        value = Decimal(str(value)).normalize()
        return format(value, "f")
    return unguard_cell(nfc(value))


def _rows(
    header: list[str], rows: Iterable[tuple[int, list[object]]]
) -> Iterator[QuestionData | ParseProblem]:
    names = _check_header([str(h or "") for h in header])
    for line, values in rows:
        cells = [_cell(v) for v in values]
        if not any(c.strip() for c in cells):
            continue
        record = {n: (cells[i] if i < len(cells) else "") for i, n in enumerate(names) if n}
        location = _("dòng %(n)s") % {"n": line}
        try:
            yield row_question(record, location)
        except ValueError as exc:
            yield ParseProblem(location, record.get("title", "") or record.get("text", "")[:60], str(exc))


def _decimal(raw: str, what: str) -> Decimal:
    try:
        value = Decimal(raw.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(
            _("%(what)s “%(raw)s” không phải là số.") % {"what": what, "raw": raw[:40]}
        ) from None
    if not value.is_finite():
        raise ValueError(_("%(what)s “%(raw)s” không phải là số.") % {"what": what, "raw": raw[:40]})
    return value


def _padded(values: list[str], n: int, what: str) -> list[str]:
    if values and len(values) != n:
        raise ValueError(
            _("Cột %(what)s có %(got)s mục nhưng có %(n)s lựa chọn.")
            % {"what": what, "got": len(values), "n": n}
        )
    return values or [""] * n


def row_question(r: dict[str, str], location: str) -> QuestionData:
    """One row → QuestionData; ValueError (Vietnamese) if the row cannot be read."""
    kind = r.get("type", "").strip().lower()
    if kind not in T.values:
        raise ValueError(
            _("Loại câu hỏi “%(type)s” không hợp lệ; dùng một trong: %(types)s.")
            % {"type": kind, "types": ", ".join(T.values)}
        )
    level_raw = r.get("level", "").strip()
    try:
        level = int(level_raw) if level_raw else 1
    except ValueError:
        raise ValueError(
            _("Trình độ “%(raw)s” phải là số nguyên từ 1 đến 8.") % {"raw": level_raw[:20]}
        ) from None
    points_raw = r.get("points", "").strip()
    options = split_list(r.get("options", ""))
    weights = split_list(r.get("weights", ""))
    common = {
        "type": kind,
        "text": r.get("text", "").strip(),
        "category": split_path(r.get("category", "")),
        "title": r.get("title", "").strip(),
        "location": location,
        "feedback": r.get("feedback", "").strip(),
        "explanation": r.get("explanation", "").strip(),
        "level": level,
        "points": _decimal(points_raw, _("Điểm")) if points_raw else Decimal("1"),
        "competences": tuple(c for c in split_list(r.get("competences", "")) if c),
    }
    if kind in (T.SINGLE_CHOICE, T.MULTIPLE_CHOICE):
        correct_raw = split_list(r.get("correct", ""))
        try:
            positions = {int(p) for p in correct_raw if p}
        except ValueError:
            raise ValueError(_("Cột correct phải là số thứ tự của các lựa chọn đúng, ví dụ “1|3”.")) from None
        if any(p < 1 or p > len(options) for p in positions):
            raise ValueError(_("Cột correct chỉ tới một lựa chọn không có."))
        weights = _padded(weights, len(options), "weights")
        feedback = _padded(split_list(r.get("option_feedback", "")), len(options), "option_feedback")
        choices = tuple(
            ChoiceData(
                text,
                i in positions,
                _decimal(weights[i - 1], _("Tỉ lệ điểm")) if weights[i - 1] else None,
                feedback[i - 1],
            )
            for i, text in enumerate(options, 1)
        )
        return QuestionData(**common, choices=choices)
    if kind == T.TRUE_FALSE:
        raw = r.get("correct", "").strip().lower()
        if raw in TRUE_WORDS:
            return QuestionData(**common, correct=True)
        if raw in FALSE_WORDS:
            return QuestionData(**common, correct=False)
        raise ValueError(_("Câu Đúng/Sai cần cột correct là “Đúng” hoặc “Sai”."))
    if kind == T.ORDERING:
        return QuestionData(**common, items=tuple(options))
    if kind == T.MATCHING:
        pairs = []
        for entry in options:
            if "->" not in entry:
                raise ValueError(_("Mỗi cặp ghép viết “vế trái -> vế phải”: “%(e)s”.") % {"e": entry[:60]})
            prompt, answer = entry.split("->", 1)
            pairs.append((prompt.strip(), answer.strip()))
        return QuestionData(**common, pairs=tuple(pairs))
    if kind == T.NUMERIC:
        tolerances = _padded(split_list(r.get("tolerance", "")), len(options), "tolerance")
        weights = _padded(weights, len(options), "weights")
        numeric = tuple(
            (
                _decimal(v, _("Đáp số")),
                _decimal(t, _("Sai số")) if t else Decimal("0"),
                _decimal(w, _("Tỉ lệ điểm")) if w else Decimal("1"),
            )
            for v, t, w in zip(options, tolerances, weights, strict=True)
        )
        return QuestionData(**common, numeric=numeric)
    weights = _padded(weights, len(options), "weights")
    accepted = tuple(
        (text, _decimal(w, _("Tỉ lệ điểm")) if w else Decimal("1"))
        for text, w in zip(options, weights, strict=True)
    )
    return QuestionData(**common, accepted=accepted)


def read_csv(data: bytes) -> list[QuestionData | ParseProblem]:
    try:
        text = text_decode(data)
    except ValidationError as exc:
        raise FileProblem(exc.messages[0]) from None
    if "\0" in text:
        raise FileProblem(_("Tệp này không phải là tệp CSV (có ký tự nhị phân)."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header:
            raise FileProblem(_("Tệp trống: không có dòng tiêu đề."))

        def rows() -> Iterator[tuple[int, list[object]]]:
            start = reader.line_num + 1
            for values in reader:
                yield start, list(values)
                start = reader.line_num + 1

        return list(_rows(header, rows()))
    except csv.Error as exc:
        raise FileProblem(
            _("Tệp CSV bị lỗi ở dòng %(n)s: %(e)s") % {"n": reader.line_num, "e": exc}
        ) from None


def read_xlsx(data: bytes) -> list[QuestionData | ParseProblem]:
    from openpyxl import load_workbook

    try:
        xlsx_check(data)
    except ValidationError as exc:
        if exc.code != "xlsx":  # not a zip at all: openpyxl says so below, in this format's words
            raise FileProblem(exc.messages[0]) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, openpyxl and XML parsers each raise their own
        raise FileProblem(
            _("Tệp này không phải là bảng tính Excel (.xlsx) đọc được.") + f" ({type(exc).__name__})"
        ) from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            raise FileProblem(_("Tệp trống: không có dòng tiêu đề."))
        return list(_rows(list(header), ((i, list(v)) for i, v in enumerate(rows, 2))))
    except FileProblem:
        raise
    except Exception as exc:  # a damaged sheet inside a valid zip
        raise FileProblem(
            _("Tệp này không phải là bảng tính Excel (.xlsx) đọc được.") + f" ({type(exc).__name__})"
        ) from None
    finally:
        book.close()
