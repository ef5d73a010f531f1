"""GIFT, Moodle's text format (https://docs.moodle.org/en/GIFT_format).

Questions are separated by a blank line. Understood: `// comments`, `::title::`,
`[html]`/`[plain]`/`[moodle]`/`[markdown]` text formats, `$CATEGORY: a/b`,
`{=right ~wrong#feedback}` (one choice right), `{~%50%a ~%50%b ~%-100%c}` (several right,
weighted), `{T}` / `{F}` (also TRUE/FALSE), `{#3.5:0.1}`, `{#1..5}`, `{#=6:0 =%50%7:1}`,
`{=a -> b =c -> d}` (matching; `= -> x` is a distractor), `{=a =%50%b}` (short answer),
`####general feedback` at the end of the block, and the escapes `\\: \\= \\~ \\# \\{ \\}
\\\\` and `\\n` (a new line). Text around the braces ("missing word" questions) is kept
with "_____" where the braces were.

Our extensions, which Moodle reads as comments or does not have:
- lines just before a question `// @level: 3`, `// @competences: digcomp-2.2:4.2, …`,
  `// @points: 2`, `// @explanation: text` carry what GIFT has no place for;
- an ordering question lists its items in the right order, each after ">":
  `{>Tải ứng dụng >Nhập số định danh >Đặt mật khẩu}` (`\\>` for a ">" in an item).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lms.core.spreadsheets import text_decode

from .neutral import (
    ChoiceData,
    FileProblem,
    ParseProblem,
    QuestionData,
    T,
    default_share_weights,
    join_path,
    nfc,
    percent,
    split_path,
    weight_from_percent,
)

ESCAPABLE = "\\:=~#{}>"
# Escaped characters become private-use code points while the structure is parsed.
_HIDE = {c: chr(0xE000 + i) for i, c in enumerate(ESCAPABLE)}
_SHOW = {v: k for k, v in _HIDE.items()}
_META_RE = re.compile(r"^\s*//\s*@(\w+)\s*:\s*(.*)$")
_WEIGHT_RE = re.compile(r"^\s*%(-?\d+(?:[.,]\d+)?)%")
_TF = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def _hide(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _HIDE:
                out.append(_HIDE[nxt])
                i += 2
                continue
            if nxt == "n":
                out.append("\n")
                i += 2
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _show(text: str) -> str:
    return nfc("".join(_SHOW.get(c, c) for c in text)).strip()


def escape(text: str, extra: str = "") -> str:
    out = text.replace("\\", "\\\\")
    for ch in ":=~#{}" + extra:
        out = out.replace(ch, "\\" + ch)
    return out.replace("\r\n", "\n").replace("\n", "\\n")


# --- reading -------------------------------------------------------------------------------


def _blocks(text: str) -> Iterable[tuple[int, list[str]]]:
    block: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _number(raw: str, what: str) -> Decimal:
    try:
        value = Decimal(_show(raw).replace(",", "."))
    except InvalidOperation:
        raise ValueError(
            _("%(what)s “%(raw)s” không phải là số.") % {"what": what, "raw": _show(raw)[:40]}
        ) from None
    if not value.is_finite():
        raise ValueError(_("%(what)s “%(raw)s” không phải là số.") % {"what": what, "raw": _show(raw)[:40]})
    return value


def _weight(part: str) -> tuple[Decimal | None, str]:
    match = _WEIGHT_RE.match(part)
    if not match:
        return None, part
    return weight_from_percent(match.group(1).replace(",", ".")), part[match.end() :]


def _answers(body: str) -> list[tuple[str, str]]:
    """'=a ~b#fb' → [('=', 'a'), ('~', 'b#fb')]."""
    parts: list[tuple[str, str]] = []
    marker, current = None, []
    for ch in body:
        if ch in "=~":
            if marker is not None:
                parts.append((marker, "".join(current)))
            elif "".join(current).strip():
                raise ValueError(_("Có chữ trước đáp án đầu tiên trong ngoặc nhọn."))
            marker, current = ch, []
        else:
            current.append(ch)
    if marker is not None:
        parts.append((marker, "".join(current)))
    return parts


def _numeric_answer(raw: str) -> tuple[Decimal, Decimal]:
    raw = raw.split("#", 1)[0].strip()
    if ".." in raw:
        low, high = raw.split("..", 1)
        low_v, high_v = _number(low, _("Đáp số")), _number(high, _("Đáp số"))
        return (low_v + high_v) / 2, abs(high_v - low_v) / 2
    if ":" in raw:
        value, tolerance = raw.split(":", 1)
        return _number(value, _("Đáp số")), _number(tolerance, _("Sai số"))
    return _number(raw, _("Đáp số")), Decimal("0")


def _answer_block(body: str) -> dict:
    body, _sep, general = body.partition("####")
    result: dict = {"feedback": _show(general)}
    stripped = body.strip()
    head = stripped.split("#", 1)[0].strip()
    if head in _TF:
        return {**result, "type": T.TRUE_FALSE, "correct": _TF[head]}
    if stripped.startswith("#"):
        rest = stripped[1:]
        numeric = []
        if "=" in rest:
            for _marker, part in _answers(rest):
                weight, part = _weight(part)
                value, tolerance = _numeric_answer(part)
                numeric.append((value, tolerance, Decimal("1") if weight is None else weight))
        else:
            value, tolerance = _numeric_answer(rest)
            numeric.append((value, tolerance, Decimal("1")))
        return {**result, "type": T.NUMERIC, "numeric": tuple(numeric)}
    if stripped.startswith(">"):
        items = tuple(_show(i) for i in stripped[1:].split(">"))
        return {**result, "type": T.ORDERING, "items": items}
    answers = _answers(stripped)
    if not answers:
        raise ValueError(_("Câu hỏi tự luận (ngoặc nhọn trống) không được hỗ trợ."))
    markers = {m for m, _p in answers}
    if markers == {"="} and any("->" in p for _m, p in answers):
        pairs = []
        for _marker, part in answers:
            if "->" not in part:
                raise ValueError(_("Mỗi cặp ghép viết “=vế trái -> vế phải”."))
            prompt, answer = part.split("->", 1)
            pairs.append((_show(prompt), _show(answer)))
        return {**result, "type": T.MATCHING, "pairs": tuple(pairs)}
    if markers == {"="}:
        accepted = []
        for _marker, part in answers:
            weight, part = _weight(part)
            accepted.append((_show(part.split("#", 1)[0]), Decimal("1") if weight is None else weight))
        return {**result, "type": T.SHORT_TEXT, "accepted": tuple(accepted)}
    single = "=" in markers
    choices = []
    for marker, part in answers:
        weight, part = _weight(part)
        text, _sep, feedback = part.partition("#")
        if single:
            correct = marker == "="
            choices.append(
                ChoiceData(_show(text), correct, None if correct or not weight else weight, _show(feedback))
            )
        else:
            weight = weight or Decimal("0")
            choices.append(ChoiceData(_show(text), weight > 0, weight, _show(feedback)))
    if single:
        return {**result, "type": T.SINGLE_CHOICE, "choices": tuple(choices)}
    return {**result, "type": T.MULTIPLE_CHOICE, "choices": default_share_weights(tuple(choices))}


def _question(
    lines: list[str], meta: dict[str, str], category: tuple[str, ...], location: str
) -> QuestionData:
    text = _hide("\n".join(lines)).strip()
    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise ValueError(_("Tên câu hỏi mở bằng “::” nhưng không đóng bằng “::”."))
        title, text = _show(text[2:end]), text[end + 2 :].lstrip()
    fmt = re.match(r"^\[(html|moodle|plain|markdown)\]", text)
    if fmt:
        text = text[fmt.end() :]
    open_at = text.find("{")
    if open_at < 0:
        raise ValueError(_("Không có phần đáp án trong ngoặc nhọn {…} (câu mô tả không được hỗ trợ)."))
    close_at = text.find("}", open_at)
    if close_at < 0:
        raise ValueError(_("Thiếu dấu “}” đóng phần đáp án."))
    before, body, after = text[:open_at], text[open_at + 1 : close_at], text[close_at + 1 :]
    if "{" in after or "}" in after:
        raise ValueError(_("Một câu chỉ được có một phần đáp án {…}."))
    question_text = _show(before) if not after.strip() else f"{_show(before)} _____ {_show(after)}"
    if fmt and fmt.group(1) == "html":
        import html as html_module

        from .moodle import _BREAK_RE, _TAG_RE

        question_text = html_module.unescape(_TAG_RE.sub("", _BREAK_RE.sub("\n", question_text))).strip()
    parsed = _answer_block(body)
    level_raw = meta.get("level", "").strip()
    try:
        level = int(level_raw) if level_raw else 1
    except ValueError:
        raise ValueError(
            _("Trình độ “%(raw)s” phải là số nguyên từ 1 đến 8.") % {"raw": level_raw[:20]}
        ) from None
    points_raw = meta.get("points", "").strip()
    competences = tuple(c.strip() for c in meta.get("competences", "").split(",") if c.strip())
    return QuestionData(
        text=question_text,
        category=category,
        title=title,
        location=location,
        level=level,
        points=_number(points_raw, _("Điểm")) if points_raw else Decimal("1"),
        competences=competences,
        explanation=_show(_hide(meta.get("explanation", ""))),
        **parsed,
    )


def read_gift(data: bytes) -> list[QuestionData | ParseProblem]:
    try:
        text = text_decode(data)
    except ValidationError as exc:
        raise FileProblem(exc.messages[0]) from None
    if "\0" in text:
        raise FileProblem(_("Tệp này không phải là tệp văn bản GIFT (có ký tự nhị phân)."))
    results: list[QuestionData | ParseProblem] = []
    category: tuple[str, ...] = ()
    for start, block in _blocks(text):
        meta: dict[str, str] = {}
        lines: list[str] = []
        for line in block:
            stripped = line.strip()
            if stripped.startswith("//"):
                match = _META_RE.match(line)
                if match:
                    meta[match.group(1).lower()] = match.group(2)
                continue
            if stripped.startswith("$CATEGORY:") and not lines:
                category = split_path(stripped[len("$CATEGORY:") :])
                continue
            lines.append(line)
        if not lines:
            continue
        location = _("dòng %(n)s") % {"n": start}
        try:
            results.append(_question(lines, meta, category, location))
        except ValueError as exc:
            title = ""
            first = lines[0].strip()
            if first.startswith("::") and "::" in first[2:]:
                title = first[2 : first.index("::", 2)]
            results.append(ParseProblem(location, title or first[:60], str(exc)))
    return results


# --- writing -------------------------------------------------------------------------------


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _weight_prefix(weight: Decimal) -> str:
    return f"%{percent(weight)}%"


def _feedback(text: str) -> str:
    return f"#{escape(text)}" if text else ""


def question_gift(q: QuestionData) -> str:
    lines = [f"// @level: {q.level}"]
    if q.competences:
        lines.append(f"// @competences: {', '.join(q.competences)}")
    if q.points != 1:
        lines.append(f"// @points: {_num(q.points)}")
    if q.explanation:
        lines.append(f"// @explanation: {escape(q.explanation)}")
    head = f"::{escape(q.title)}::" if q.title else ""
    head += "[plain]" + escape(q.text)
    if q.type == T.TRUE_FALSE:
        body = "T" if q.correct else "F"
    elif q.type == T.SINGLE_CHOICE:
        parts = []
        for c in q.choices:
            if c.correct:
                parts.append(f"={escape(c.text)}{_feedback(c.feedback)}")
            else:
                weight = _weight_prefix(c.weight) if c.weight else ""
                parts.append(f"~{weight}{escape(c.text)}{_feedback(c.feedback)}")
        body = " ".join(parts)
    elif q.type == T.MULTIPLE_CHOICE:
        from .moodle import _equal_share

        parts = []
        for c in q.choices:
            weight = c.weight if c.weight is not None else _equal_share(c, q.choices)
            parts.append(f"~{_weight_prefix(weight)}{escape(c.text)}{_feedback(c.feedback)}")
        body = " ".join(parts)
    elif q.type == T.MATCHING:
        body = " ".join(f"={escape(p)} -> {escape(a)}" for p, a in q.pairs)
    elif q.type == T.ORDERING:
        body = " ".join(f">{escape(i, '>')}" for i in q.items)
    elif q.type == T.NUMERIC:
        if len(q.numeric) == 1 and q.numeric[0][2] == 1:
            value, tolerance, _f = q.numeric[0]
            body = f"#{_num(value)}:{_num(tolerance)}"
        else:
            body = "#" + " ".join(
                f"={'' if f == 1 else _weight_prefix(f)}{_num(v)}:{_num(t)}" for v, t, f in q.numeric
            )
    else:
        body = " ".join(f"={'' if f == 1 else _weight_prefix(f)}{escape(t)}" for t, f in q.accepted)
    if q.feedback:
        body += f" ####{escape(q.feedback)}"
    lines.append(f"{head} {{{body}}}")
    return "\n".join(lines)


def write_gift(questions: Iterable[QuestionData]) -> bytes:
    chunks = []
    current: tuple[str, ...] | None = None
    for q in questions:
        if q.category != current:
            current = q.category
            chunks.append(f"$CATEGORY: $course$/top/{join_path(q.category)}")
        chunks.append(question_gift(q))
    return ("\n\n".join(chunks) + "\n").encode("utf-8")
