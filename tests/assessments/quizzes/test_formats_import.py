"""Importing question files: valid ones in, invalid ones reported with the reason, never half-written."""

import io
import unicodedata
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessments.quizzes.formats.services import questions_export, questions_import
from assessments.quizzes.formats.table import COLUMNS
from assessments.quizzes.models import Choice, Question, QuestionCategory
from assessments.quizzes.services import category_create, question_create

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
MIXED = (FIXTURES / "moodle_mixed.xml").read_bytes()
VALID_TITLES = ["OTP", "Dấu hiệu lừa đảo", "VNeID", "Ghép ứng dụng", "Chữ số OTP", "Thủ đô"]
INVALID = {
    "câu 7": "đúng một lựa chọn đúng",
    "câu 8": "ít nhất một đáp án được trọn điểm",
    "câu 9": "“essay” không được hỗ trợ",
    "câu 10": "“bốn” không phải là số",
    "câu 11": "Không có năng lực mã: khong-co:9.9",
    "câu 12": "Trình độ",
}


def test_moodle_file_with_valid_and_invalid_questions_imports_the_valid_ones_and_reports_the_others():
    report = questions_import(data=MIXED, filename="ngan-hang.xml", mode="valid_only")
    assert report.format == "moodle" and report.file_error == ""
    assert [r.title for r in report.rows if r.ok] == VALID_TITLES
    assert report.written == 6
    reasons = {r.location: r.reason for r in report.invalid}
    assert set(reasons) == set(INVALID)
    for location, expected in INVALID.items():
        assert expected in reasons[location], (location, reasons[location])
    # Written as Moodle meant them, in the categories the file names.
    assert Question.objects.count() == 6
    otp = Question.objects.get(text__startswith="Có nên đọc mã OTP")
    assert otp.text == "Có nên đọc mã OTP cho người gọi điện & xưng là ngân hàng?"
    assert otp.category.name == "An toàn" and otp.category.parent.name == "Kỹ năng số"
    assert otp.level == 2 and otp.default_points == 2 and otp.feedback == "Không ai được hỏi OTP."
    assert list(otp.choices.values_list("text", "is_correct")) == [("Không bao giờ", True), ("Có", False)]
    matching = Question.objects.get(type=Question.Type.MATCHING)
    assert matching.category.name == "Dịch vụ công"
    assert list(matching.pairs.values_list("prompt", "answer")) == [
        ("Định danh", "VNeID"),
        ("Thuế", "eTax Mobile"),
        ("", "Zalo"),
    ]
    # Nothing of the invalid ones: no question, no stray options.
    assert not Question.objects.filter(text__in=["Câu này quên đánh dấu đáp án đúng.", "Biển mặn."]).exists()
    assert Choice.objects.filter(question__isnull=True).count() == 0
    assert not Choice.objects.filter(text__in=["A", "B"]).exists()


def test_all_or_nothing_is_the_default_and_writes_nothing_when_one_question_is_invalid():
    report = questions_import(data=MIXED, filename="ngan-hang.xml")
    assert report.mode == "all_or_nothing"
    assert report.valid == 6 and len(report.invalid) == 6 and report.written == 0
    assert all(r.question_id is None for r in report.rows)
    assert Question.objects.count() == 0 and Choice.objects.count() == 0
    assert QuestionCategory.objects.count() == 0


def test_dry_run_validates_like_an_import_and_writes_nothing():
    report = questions_import(data=MIXED, filename="x.xml", mode="valid_only", dry_run=True)
    assert report.valid == 6 and len(report.invalid) == 6 and report.written == 0
    assert Question.objects.count() == 0 and QuestionCategory.objects.count() == 0


def test_a_valid_file_imports_everything_in_all_or_nothing_mode_under_a_base_category():
    base = category_create(name="Nhập thử")
    valid_only = (
        MIXED.split(b'<question type="multichoice">\n    <name><text>Kh\xc3\xb4ng c\xc3\xb3')[0] + b"</quiz>"
    )
    report = questions_import(data=valid_only, format="moodle", base_category=base)
    assert report.ok and report.written == 6
    assert {q.category.parent.parent for q in Question.objects.all()} == {base}


def test_an_invalid_question_leaves_no_category_behind_in_valid_only_mode():
    data = (
        "type,category,text,options,correct\n"
        "single_choice,Chỉ có câu lỗi,Câu lỗi,A|B,\n"
        "true_false,Nhóm tốt,Câu tốt,,Đúng\n"
    ).encode()
    report = questions_import(data=data, format="csv", mode="valid_only")
    assert report.written == 1 and len(report.invalid) == 1
    assert report.invalid[0].location == "dòng 2"
    assert set(QuestionCategory.objects.values_list("name", flat=True)) == {"Nhóm tốt"}


@pytest.mark.parametrize(
    "data,filename,message",
    [
        (b"<quiz><question type='truefalse'><name>", "a.xml", "Tệp XML bị lỗi ở dòng 1"),
        (
            b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<quiz>&b;</quiz>",
            "bomb.xml",
            "DTD hoặc thực thể",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE quiz SYSTEM "file:///etc/passwd"><quiz/>',
            "ext.xml",
            "DTD hoặc thực thể",
        ),
        (b"<html><body>hi</body></html>", "page.xml", "thiếu thẻ <quiz>"),
        (b"type,text\ntrue_false,Nguy\xd6n V\xb8n\n", "a.csv", "không phải UTF-8"),  # TCVN3
        (b"loai,noi dung\nx,y\n", "a.csv", "thiếu cột: text, type"),
        (b"type,text,dap_an\ntrue_false,x,y\n", "a.csv", "cột không biết: dap_an"),
        (b"this is not a zip file at all", "a.xlsx", "không phải là bảng tính Excel"),
        (b"PK\x03\x04broken", "a.xlsx", "không phải là bảng tính Excel"),
        (b"", "a.gift", "Tệp trống"),
        (b"C\xa9u h\xe1i {=\xae\xfang ~Sai}", "a.gift", "UTF-8"),  # TCVN3
    ],
)
def test_malformed_files_give_a_clear_message_and_write_nothing(data, filename, message):
    report = questions_import(data=data, filename=filename, mode="valid_only")
    assert message in report.file_error
    assert report.rows == [] and report.written == 0
    assert Question.objects.count() == 0


def test_an_xlsx_zip_without_a_workbook_is_refused_clearly():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    report = questions_import(data=buffer.getvalue(), filename="a.xlsx")
    assert "không phải là bảng tính Excel" in report.file_error


def test_csv_with_bom_semicolons_and_nfd_text_imports_as_nfc():
    nfd = unicodedata.normalize("NFD", "Thủ đô của Việt Nam là gì?")
    assert nfd != unicodedata.normalize("NFC", nfd)
    data = (f"\ufefftype;text;options;weights\nshort_text;{nfd};Hà Nội|Thăng Long;1|0,5\n").encode()
    report = questions_import(data=data, filename="a.csv")
    assert report.ok, report.rows
    question = Question.objects.get()
    assert question.text == "Thủ đô của Việt Nam là gì?"
    assert list(question.text_answers.values_list("text", "fraction")) == [("Hà Nội", 1), ("Thăng Long", 0.5)]


def test_export_guards_against_formula_injection_and_import_gives_the_text_back():
    category = category_create(name='=HYPERLINK("http://x")')
    question_create(
        category=category,
        type=Question.Type.SINGLE_CHOICE,
        text="=1+1 là bao nhiêu?",
        choices=[{"text": "+2", "correct": True}, {"text": "@SUM(A1)"}, {"text": "-3"}],
        feedback="'trích",
    )
    data = questions_export(format="csv").decode("utf-8-sig")
    for dangerous in ("=1+1", "+2", "@SUM", "-3", "=HYPERLINK"):
        assert f",{dangerous}" not in data and f"\n{dangerous}" not in data
    assert "'=1+1 là bao nhiêu?" in data and "'+2|@SUM(A1)|-3" in data and "''trích" in data
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(questions_export(format="xlsx"))).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == COLUMNS
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["text"].value == "'=1+1 là bao nhiêu?" and row["text"].data_type == "s"
    assert not any(isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@")) for c in sheet[2])
    report = questions_import(data=data.encode(), format="csv")
    assert report.ok
    copy = Question.objects.order_by("-id").first()
    assert copy.text == "=1+1 là bao nhiêu?" and copy.feedback == "'trích"
    assert [c.text for c in copy.choices.all()] == ["+2", "@SUM(A1)", "-3"]


def test_gift_reads_moodle_syntax():
    data = "\n".join(
        [
            "// Một chú thích",
            "$CATEGORY: $course$/top/GIFT",
            "",
            "::Mã OTP::Có nên đọc OTP\\: cho ai? "
            "{=Không ai#Đúng ~Ngân hàng#Sai ~%50%Người thân ####OTP là bí mật}",
            "",
            "Pi bằng {#3.14:0.01}",
            "",
            "Nằm trong khoảng {#1..5}",
            "",
            "Trời xanh {TRUE}",
            "",
            "Ghép {=Hà Nội -> Thủ đô =Huế -> Cố đô = -> Thị xã}",
            "",
            "Hai \\{ngoặc\\} {=hai =%50%2}",
            "",
            "Chọn {~%50%A ~%50%B ~%-100%C}",
            "",
            "Mặt trời mọc ở {=Đông ~Tây} hằng ngày.",
            "",
            "Tự luận {}",
        ]
    ).encode()
    report = questions_import(data=data, filename="a.gift", mode="valid_only")
    assert [r.ok for r in report.rows] == [True] * 8 + [False]
    assert report.rows[-1].location == "dòng 20" and "tự luận" in report.rows[-1].reason
    otp = Question.objects.get(text="Có nên đọc OTP: cho ai?")
    assert otp.category.name == "GIFT" and otp.feedback == "OTP là bí mật"
    assert [(c.text, c.is_correct, c.weight, c.feedback) for c in otp.choices.all()] == [
        ("Không ai", True, 1, "Đúng"),
        ("Ngân hàng", False, 0, "Sai"),
        ("Người thân", False, 0.5, ""),
    ]
    span = Question.objects.get(text="Nằm trong khoảng").numeric_answers.get()
    assert (span.value, span.tolerance) == (3, 2)
    assert Question.objects.get(text="Hai {ngoặc}").type == Question.Type.SHORT_TEXT
    assert Question.objects.filter(text="Mặt trời mọc ở _____ hằng ngày.").exists()
    assert Question.objects.get(text="Chọn").type == Question.Type.MULTIPLE_CHOICE


def test_import_command_valid_only_and_all_or_nothing(tmp_path, capsys):
    path = tmp_path / "ngan-hang.xml"
    path.write_bytes(MIXED)
    with pytest.raises(CommandError):
        call_command("import_questions", str(path))
    assert Question.objects.count() == 0
    call_command("import_questions", str(path), "--dry-run", "--valid-only")
    assert Question.objects.count() == 0
    call_command("import_questions", str(path), "--valid-only", "--category", "Từ Moodle")
    out = capsys.readouterr().out
    assert "câu 9\terror\tTự luận" in out and "đã ghi 6" in out
    assert Question.objects.count() == 6
    assert set(Question.objects.values_list("category__parent__parent__name", flat=True)) == {"Từ Moodle"}
    target = tmp_path / "out.gift"
    call_command(
        "export_questions", str(target), "--format", "gift", "--category", "Từ Moodle/Kỹ năng số/An toàn"
    )
    assert target.read_text().count("// @level:") == 3
    with pytest.raises(CommandError):
        call_command("export_questions", str(target), "--format", "gift", "--category", "Không có")
    with pytest.raises(CommandError, match="không phải là bảng tính"):
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(b"not a zip")
        call_command("import_questions", str(bad))
