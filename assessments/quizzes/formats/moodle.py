"""Moodle XML (https://docs.moodle.org/en/Moodle_XML_format).

Types: multichoice (<single>true</single> → single_choice, false → multiple_choice;
answer `fraction` in percent → the option's weight), truefalse, matching (subquestions;
one with empty text is a distractor answer), numerical (answers with <tolerance>),
shortanswer, and the "ordering" plugin type (answers in the right order). A question of
type "category" sets the category of the questions after it. Other types (essay,
calculated, cloze…) are reported as not supported.

What Moodle has no place for travels where Moodle ignores it: the level and the
competences as tags "level:3" and "competence:digcomp-2.2:4.2"; our explanation in an
<explanation> element (our general feedback is Moodle's <generalfeedback>); points are
<defaultgrade>. HTML question text is turned into plain text; we write plain text.

Files are parsed with defusedxml: a DTD, an entity declaration or an external reference
is refused (no "billion laughs", no reading local files).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _

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

LEVEL_TAG = "level:"
COMPETENCE_TAG = "competence:"
_TAG_RE = re.compile(r"<[^>]+>")
_BREAK_RE = re.compile(r"<\s*(br|/p|/div|/li)\s*/?\s*>", re.IGNORECASE)


# --- reading -------------------------------------------------------------------------------


def _text(element: ET.Element | None, path: str = "text", default: str = "html") -> str:
    """The <text> of an element, as plain text (HTML turned into text)."""
    if element is None:
        return ""
    node = element.find(path) if path else element
    raw = (node.text or "") if node is not None else ""
    if element.get("format", default) == "html" and ("<" in raw or "&" in raw):
        raw = html.unescape(_TAG_RE.sub("", _BREAK_RE.sub("\n", raw)))
    return nfc(raw).strip()


def _fraction(answer: ET.Element) -> Decimal:
    raw = answer.get("fraction", "0")
    try:
        return weight_from_percent(raw)
    except (InvalidOperation, ValueError):
        raise ValueError(_("Tỉ lệ điểm “%(raw)s” không phải là số.") % {"raw": raw[:20]}) from None


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


def _question(node: ET.Element, category: tuple[str, ...], location: str) -> QuestionData:
    kind = node.get("type", "")
    tags = [_text(t, default="plain_text") for t in node.findall("tags/tag")]
    level = 1
    competences = []
    for tag in tags:
        if tag.startswith(LEVEL_TAG):
            try:
                level = int(tag[len(LEVEL_TAG) :])
            except ValueError:
                raise ValueError(_("Thẻ trình độ “%(tag)s” không hợp lệ.") % {"tag": tag[:40]}) from None
        elif tag.startswith(COMPETENCE_TAG):
            competences.append(tag[len(COMPETENCE_TAG) :].strip())
    grade = node.findtext("defaultgrade")
    common = {
        "text": _text(node.find("questiontext")),
        "category": category,
        "title": _text(node.find("name"), default="plain_text"),
        "location": location,
        "feedback": _text(node.find("generalfeedback")),
        "explanation": _text(node.find("explanation")),
        "level": level,
        "competences": tuple(competences),
        "points": _decimal(grade, _("Điểm")).normalize() if grade and grade.strip() else Decimal("1"),
    }
    answers = node.findall("answer")
    if kind == "multichoice":
        single = (node.findtext("single") or "true").strip().lower() in ("true", "1")
        choices = []
        for a in answers:
            weight = _fraction(a)
            if single:
                correct = weight == 1
                weight = None if correct or not weight else weight
                choices.append(ChoiceData(_text(a), correct, weight, _text(a.find("feedback"))))
            else:
                choices.append(ChoiceData(_text(a), weight > 0, weight, _text(a.find("feedback"))))
        kind = T.SINGLE_CHOICE if single else T.MULTIPLE_CHOICE
        if not single:
            return QuestionData(type=kind, **common, choices=default_share_weights(tuple(choices)))
        return QuestionData(type=kind, **common, choices=tuple(choices))
    if kind == "truefalse":
        right = [_text(a).lower() for a in answers if _fraction(a) == 1]
        if len(right) != 1 or right[0] not in ("true", "false"):
            raise ValueError(_("Câu Đúng/Sai cần đúng một đáp án “true” hoặc “false” được 100%."))
        return QuestionData(type=T.TRUE_FALSE, **common, correct=right[0] == "true")
    if kind == "matching":
        pairs = tuple(
            (_text(s), _text(s.find("answer"), default="plain_text")) for s in node.findall("subquestion")
        )
        return QuestionData(type=T.MATCHING, **common, pairs=pairs)
    if kind == "ordering":
        return QuestionData(type=T.ORDERING, **common, items=tuple(_text(a) for a in answers))
    if kind == "numerical":
        numeric = []
        for a in answers:
            value = _text(a)
            if value == "*":
                raise ValueError(_("Đáp số “*” (mọi số) không được hỗ trợ."))
            numeric.append(
                (
                    _decimal(value, _("Đáp số")),
                    _decimal(a.findtext("tolerance") or "0", _("Sai số")),
                    _fraction(a),
                )
            )
        return QuestionData(type=T.NUMERIC, **common, numeric=tuple(n for n in numeric if n[2] > 0))
    if kind == "shortanswer":
        accepted = tuple((_text(a), _fraction(a)) for a in answers if _fraction(a) > 0)
        return QuestionData(type=T.SHORT_TEXT, **common, accepted=accepted)
    raise ValueError(_("Loại câu hỏi Moodle “%(type)s” không được hỗ trợ.") % {"type": kind[:40]})


def read_moodle(data: bytes) -> list[QuestionData | ParseProblem]:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise FileProblem(
            _("Tệp XML có khai báo DTD hoặc thực thể (entity); vì an toàn, hệ thống không đọc loại tệp này.")
        ) from None
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise FileProblem(
            _("Tệp XML bị lỗi ở dòng %(line)s, cột %(col)s: tệp không đúng cú pháp XML.")
            % {"line": line, "col": column}
        ) from None
    except ValueError:
        raise FileProblem(_("Tệp XML không đọc được (mã ký tự không hợp lệ).")) from None
    if root.tag != "quiz":
        raise FileProblem(_("Đây không phải tệp câu hỏi Moodle XML (thiếu thẻ <quiz>)."))
    results: list[QuestionData | ParseProblem] = []
    category: tuple[str, ...] = ()
    number = 0
    for node in root.findall("question"):
        if node.get("type") == "category":
            category = split_path(_text(node.find("category"), default="plain_text"))
            continue
        number += 1
        location = _("câu %(n)s") % {"n": number}
        try:
            results.append(_question(node, category, location))
        except ValueError as exc:
            results.append(ParseProblem(location, _text(node.find("name"), default="plain_text"), str(exc)))
    return results


# --- writing -------------------------------------------------------------------------------


def _sub_text(
    parent: ET.Element, tag: str, text: str, fmt: str | None = "plain_text", **attrs: str
) -> ET.Element:
    element = ET.SubElement(parent, tag, **({"format": fmt} if fmt else {}), **attrs)
    ET.SubElement(element, "text").text = text
    return element


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _equal_share(choice: ChoiceData, choices: tuple[ChoiceData, ...]) -> Decimal:
    k = sum(c.correct for c in choices)
    w = len(choices) - k
    if choice.correct:
        return Decimal(1) / k
    return Decimal(-1) / w if w else Decimal(0)


def _write_question(quiz: ET.Element, q: QuestionData) -> None:
    kind = {
        T.SINGLE_CHOICE: "multichoice",
        T.MULTIPLE_CHOICE: "multichoice",
        T.TRUE_FALSE: "truefalse",
        T.MATCHING: "matching",
        T.ORDERING: "ordering",
        T.NUMERIC: "numerical",
        T.SHORT_TEXT: "shortanswer",
    }[q.type]
    node = ET.SubElement(quiz, "question", type=kind)
    _sub_text(node, "name", q.title or q.text[:80], fmt=None)
    _sub_text(node, "questiontext", q.text)
    _sub_text(node, "generalfeedback", q.feedback)
    if q.explanation:
        _sub_text(node, "explanation", q.explanation)
    ET.SubElement(node, "defaultgrade").text = _num(q.points)
    ET.SubElement(node, "penalty").text = "0"
    ET.SubElement(node, "hidden").text = "0"
    if q.type in (T.SINGLE_CHOICE, T.MULTIPLE_CHOICE):
        ET.SubElement(node, "single").text = "true" if q.type == T.SINGLE_CHOICE else "false"
        ET.SubElement(node, "shuffleanswers").text = "true"
        ET.SubElement(node, "answernumbering").text = "abc"
        for c in q.choices:
            if q.type == T.SINGLE_CHOICE:
                weight = Decimal(1) if c.correct else (c.weight or Decimal(0))
            else:
                weight = c.weight if c.weight is not None else _equal_share(c, q.choices)
            answer = _sub_text(node, "answer", c.text, fraction=percent(weight))
            _sub_text(answer, "feedback", c.feedback)
    elif q.type == T.TRUE_FALSE:
        for word, right in (("true", q.correct), ("false", not q.correct)):
            answer = _sub_text(
                node, "answer", word, fmt="moodle_auto_format", fraction="100" if right else "0"
            )
            _sub_text(answer, "feedback", "")
    elif q.type == T.MATCHING:
        ET.SubElement(node, "shuffleanswers").text = "true"
        for prompt, answer_text in q.pairs:
            sub = _sub_text(node, "subquestion", prompt)
            ET.SubElement(ET.SubElement(sub, "answer"), "text").text = answer_text
    elif q.type == T.ORDERING:
        ET.SubElement(node, "layouttype").text = "VERTICAL"
        ET.SubElement(node, "selecttype").text = "ALL"
        ET.SubElement(node, "selectcount").text = "0"
        ET.SubElement(node, "gradingtype").text = "RELATIVE_TO_CORRECT"
        for item in q.items:
            _sub_text(node, "answer", item, fraction="100")
    elif q.type == T.NUMERIC:
        for value, tolerance, fraction in q.numeric:
            answer = _sub_text(node, "answer", _num(value), fraction=percent(fraction))
            ET.SubElement(answer, "tolerance").text = _num(tolerance)
    elif q.type == T.SHORT_TEXT:
        ET.SubElement(node, "usecase").text = "0"
        for text, fraction in q.accepted:
            _sub_text(node, "answer", text, fraction=percent(fraction))
    tags = [f"{LEVEL_TAG}{q.level}", *(f"{COMPETENCE_TAG}{c}" for c in q.competences)]
    tags_node = ET.SubElement(node, "tags")
    for tag in tags:
        ET.SubElement(ET.SubElement(tags_node, "tag"), "text").text = tag


def write_moodle(questions: Iterable[QuestionData]) -> bytes:
    quiz = ET.Element("quiz")
    current: tuple[str, ...] | None = None
    for q in questions:
        if q.category != current:
            current = q.category
            node = ET.SubElement(quiz, "question", type="category")
            _sub_text(node, "category", "$course$/top/" + join_path(q.category), fmt=None)
        _write_question(quiz, q)
    ET.indent(quiz)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="utf-8") + b"\n"
