"""Every file import of the platform, fed bad and hostile files: each gets a clear
Vietnamese message and nothing is half-written; Windows-1258 files from Excel on a
Vietnamese Windows are read correctly instead of refused."""

import pytest
from django.core.exceptions import ValidationError

from assessments.quizzes.formats.services import questions_import
from assessments.quizzes.models import Question
from courses import bulk
from courses.training.imports import staff_file_parse
from lms.organisations.models import Agency
from lms.organisations.services import agency_import_csv
from lms.places.models import AdministrativeUnit
from lms.places.services import village_import_csv
from tests.badinput.files import TCVN3_SAMPLE, cp1258, xlsx, xlsx_bomb, xlsx_with_entities
from tests.factories import make_commune, make_province

pytestmark = pytest.mark.django_db

STAFF_HEADER = ["Họ và tên", "Email", "Mã cơ quan", "Phân loại"]
STAFF_ROW = ["Đặng Thị Hường", "huong@example.test", "SO", "công chức"]


@pytest.fixture
def commune():
    return make_commune(make_province("Tỉnh Thử", code="91"), "Xã Mường Lèo", code="91001")


def villages(commune):
    return list(AdministrativeUnit.objects.filter(parent=commune).values_list("name", flat=True))


def test_villages_from_windows_1258_keep_their_names(commune):
    data = cp1258("commune_code,name,type\n91001,Bản Nà Lừa,bản\n91001,Thôn Đồng Tâm,thôn\n")
    report = village_import_csv(data=data, communes=AdministrativeUnit.objects.filter(pk=commune.pk))
    assert report.ok and report.written, report.errors
    assert sorted(villages(commune)) == ["Bản Nà Lừa", "Thôn Đồng Tâm"]


@pytest.mark.parametrize("data", [TCVN3_SAMPLE, b"\x00\x01binary", "commune_code,name\n".encode("utf-16-le")])
def test_villages_from_unreadable_files_write_nothing(commune, data):
    report = village_import_csv(data=data, communes=AdministrativeUnit.objects.filter(pk=commune.pk))
    assert not report.written and report.errors
    assert villages(commune) == []


def test_villages_nfc_and_nfd_spellings_of_one_name_are_one_duplicate(commune):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Thôn Đồng Tâm")
    data = f"commune_code,name,type\n91001,Thôn Đồng Tâm,thôn\n91001,{nfd},thôn\n".encode()
    report = village_import_csv(data=data, communes=AdministrativeUnit.objects.filter(pk=commune.pk))
    assert not report.written and report.count("error") == 1
    assert villages(commune) == []


def test_agencies_from_windows_1258_and_from_tcvn3():
    make_province("Tỉnh Thử", code="91")
    report = agency_import_csv(data=cp1258("code,name,parent_code,unit_code\nSNV,Sở Nội vụ,,91\n"))
    assert report.ok and report.written
    assert Agency.objects.get(code="SNV").name == "Sở Nội vụ"
    bad = agency_import_csv(data=b"code,name,parent_code\nX," + TCVN3_SAMPLE + b",\n")
    assert not bad.written and "TCVN3" in bad.errors[0]
    assert not Agency.objects.filter(code="X").exists()


def test_bulk_enrolment_reads_windows_1258_and_refuses_tcvn3():
    rows = bulk.bulk_csv_parse(data=cp1258("email;ghi chú\nhuong@example.test;Đặng Thị Hường\n"))
    assert [r.value for r in rows] == ["huong@example.test"]
    with pytest.raises(ValidationError) as info:
        bulk.bulk_csv_parse(data=b"email\n" + TCVN3_SAMPLE + b"\n")
    assert info.value.code == "encoding"


@pytest.mark.parametrize(
    "data,filename,words",
    [
        (xlsx_bomb([STAFF_HEADER, STAFF_ROW]), "ds.xlsx", "giải nén ra quá lớn"),
        (xlsx_with_entities([STAFF_HEADER, STAFF_ROW]), "ds.xlsx", "Không đọc được tệp Excel"),
        (TCVN3_SAMPLE, "ds.csv", "TCVN3"),
        (b"x" * (6 * 1024 * 1024), "ds.csv", "5 MB"),
    ],
)
def test_staff_import_refuses_hostile_files_with_a_reason(data, filename, words):
    with pytest.raises(ValidationError) as info:
        staff_file_parse(data=data, filename=filename)
    assert words in info.value.messages[0]


def test_staff_import_reads_windows_1258_and_xlsx_alike():
    from_csv = staff_file_parse(data=cp1258(",".join(STAFF_HEADER) + "\n" + ",".join(STAFF_ROW) + "\n"))
    from_xlsx = staff_file_parse(data=xlsx([STAFF_HEADER, STAFF_ROW]), filename="ds.xlsx")
    assert [r.values for r in from_csv] == [r.values for r in from_xlsx]
    assert from_csv[0].values["name"] == "Đặng Thị Hường"


@pytest.mark.parametrize(
    "data,filename,words",
    [
        (xlsx_bomb([["type", "text"], ["true_false", "Trời xanh"]]), "a.xlsx", "giải nén ra quá lớn"),
        (xlsx_with_entities([["type", "text"], ["true_false", "x"]]), "a.xlsx", "bảng tính Excel"),
        (b"type,text\ntrue_false," + TCVN3_SAMPLE + b"\n", "a.csv", "TCVN3"),
        (TCVN3_SAMPLE + b" {T}", "a.gift", "TCVN3"),
    ],
)
def test_question_import_refuses_hostile_files_and_writes_nothing(data, filename, words):
    report = questions_import(data=data, filename=filename, mode="valid_only")
    assert words in report.file_error
    assert report.written == 0 and Question.objects.count() == 0


def test_question_import_reads_windows_1258_csv_and_gift():
    csv_file = cp1258("type,text,correct\ntrue_false,Trời xanh,Đúng\n")
    csv_report = questions_import(data=csv_file, filename="a.csv")
    gift_report = questions_import(data=cp1258("::Câu 1:: Hà Nội là thủ đô {T}\n"), filename="a.gift")
    assert csv_report.ok and gift_report.ok, (csv_report.file_error, gift_report.file_error)
    assert sorted(Question.objects.values_list("text", flat=True)) == ["Hà Nội là thủ đô", "Trời xanh"]
