"""Every question type survives export → import in every format (CSV, XLSX, Moodle XML, GIFT)."""

from decimal import Decimal

import pytest

from assessments.models import Competence, Framework, FrameworkArea
from assessments.quizzes.formats import gift, moodle, table
from assessments.quizzes.formats.neutral import ChoiceData, QuestionData, T
from assessments.quizzes.formats.services import (
    FORMATS,
    questions_export,
    questions_for_export,
    questions_import,
)
from assessments.quizzes.models import Question
from assessments.quizzes.services import category_create, question_create

from .builders import one_of_each

pytestmark = pytest.mark.django_db


def _competence(code="4.2"):
    framework, _c = Framework.objects.get_or_create(code="digcomp-2.2", defaults={"title_vi": "DigComp 2.2"})
    area, _c = FrameworkArea.objects.get_or_create(
        framework=framework, code="4", defaults={"title_vi": "An toàn"}
    )
    competence, _c = Competence.objects.get_or_create(
        framework=framework, area=area, code=code, defaults={"title_vi": "Bảo vệ dữ liệu cá nhân"}
    )
    return competence


def _bank():
    root = category_create(name="An toàn số")
    sub = category_create(name="Lừa đảo / giả danh", parent=root)
    questions = one_of_each(sub)
    # Extras that must travel too: level, competences, points, weights, tolerance,
    # partial credit, feedback and explanation with characters every format escapes.
    questions["weighted"] = question_create(
        category=root,
        type=T.MULTIPLE_CHOICE,
        text='Chọn: {a} = b ~ c # d : e | f; "trích dẫn", dòng\nthứ hai',
        choices=[
            {"text": "=SUM(A1) đúng", "correct": True, "weight": Decimal("0.7"), "feedback": "+ phản hồi"},
            {"text": "@đúng nữa", "correct": True, "weight": Decimal("0.3")},
            {"text": "-sai", "weight": Decimal("-0.5"), "feedback": "a|b\\c"},
        ],
        level=4,
        points=Decimal("2.5"),
        competences=[_competence()],
        feedback="Nhận xét: {chung}",
        explanation="Giải thích\nnhiều dòng: = ~ #",
    )
    questions["single_partial"] = question_create(
        category=root,
        type=T.SINGLE_CHOICE,
        text="Một đáp án, có điểm một phần",
        choices=[
            {"text": "Đúng nhất", "correct": True},
            {"text": "Gần đúng", "weight": Decimal("0.5")},
            {"text": "Sai"},
        ],
    )
    questions["false"] = question_create(
        category=root, type=T.TRUE_FALSE, text="Có thể chia sẻ OTP.", correct=False
    )
    questions["numeric_many"] = question_create(
        category=root,
        type=T.NUMERIC,
        text="Số pi?",
        numeric=[(Decimal("3.14"), Decimal("0.01")), (Decimal("3"), Decimal("0.5"), Decimal("0.5"))],
        level=8,
    )
    return questions


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_type_round_trips(fmt):
    questions = _bank()
    assert {q.type for q in questions.values()} == set(T.values)
    before = questions_for_export()
    assert len(before) == len(questions)
    data = questions_export(format=fmt)
    report = questions_import(data=data, format=fmt)
    assert report.file_error == "" and report.invalid == [], [(r.location, r.reason) for r in report.rows]
    assert report.written == len(questions)
    new_ids = {r.question_id for r in report.rows}
    after = [q for q in questions_for_export() if q in before]
    assert len(after) == 2 * len(before)
    # The imported copies are equal to the originals, one for one, in the same order.
    imported = questions_for_export()
    by_text = {}
    for q in imported:
        by_text.setdefault(q.text, []).append(q)
    for original in before:
        assert by_text[original.text] == [original, original], original.text
    assert Question.objects.filter(pk__in=new_ids).count() == len(questions)


@pytest.mark.parametrize(
    "writer,reader",
    [
        (table.write_csv, table.read_csv),
        (table.write_xlsx, table.read_xlsx),
        (moodle.write_moodle, moodle.read_moodle),
        (gift.write_gift, gift.read_gift),
    ],
)
def test_neutral_shape_round_trips_without_the_database(writer, reader):
    questions = [
        QuestionData(
            type=T.SINGLE_CHOICE,
            text="Câu hỏi có dấu: Hoà, Hòa, Thuỷ",
            category=("Gốc", "Con/cháu"),
            choices=(ChoiceData("Một", True, None, "đúng"), ChoiceData("Hai", False, Decimal("0.25"))),
        ),
        QuestionData(type=T.ORDERING, text="Xếp", items=("a > b", "c -> d", "e|f")),
        QuestionData(
            type=T.SHORT_TEXT, text="Viết", accepted=(("Hà Nội", Decimal(1)), ("HN", Decimal("0.5")))
        ),
    ]
    assert reader(writer(questions)) == questions
