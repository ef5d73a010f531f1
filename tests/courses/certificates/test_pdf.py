"""The PDF: Vietnamese text that survives extraction, A4 landscape, the QR payload."""

import io

import pytest
from pypdf import PdfReader

from assessments.loading import frameworks_load
from courses.certificates.pdf import date_vietnamese, qr_matrix
from courses.certificates.selectors import verification_url
from tests.courses.builders import course_build
from tests.courses.certificates.conftest import complete_course

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.courses.certificates.urls")]


@pytest.fixture
def rich_certificate(index, learner, django_capture_on_commit_callbacks):
    frameworks_load()
    course = course_build(index=index, slug="an-toan", title="Nhận diện lừa đảo trực tuyến",
                          competences="digcomp-2.2:4.2\ndigcomp-2.2:2.2")
    with django_capture_on_commit_callbacks(execute=True):
        certificate = complete_course(learner=learner, course=course)
    certificate.refresh_from_db()
    return certificate


def _reader(certificate) -> PdfReader:
    certificate.pdf.open("rb")
    return PdfReader(io.BytesIO(certificate.pdf.read()))


def test_pdf_text_keeps_every_diacritic(rich_certificate):
    reader = _reader(rich_certificate)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Nguyễn Thị Ánh" in text
    assert "Nhận diện lừa đảo trực tuyến" in text
    assert "CHỨNG NHẬN" in text
    assert "Bảo vệ dữ liệu cá nhân và quyền riêng tư" in text
    # Title with its code and the level a (beginner) course completion shows.
    flat = " ".join(text.split())
    assert "4.2 Bảo vệ dữ liệu cá nhân và quyền riêng tư (digcomp-2.2:4.2), mức 2" in flat
    assert rich_certificate.code_display in text
    assert date_vietnamese(rich_certificate.issued_at) in text
    # The font is embedded (a subset of Be Vietnam Pro), not a viewer's fallback.
    fonts = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("BeVietnamPro" in name for name in fonts)


def test_pdf_is_a4_landscape(rich_certificate):
    box = _reader(rich_certificate).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_qr_code_is_the_public_verification_url(rich_certificate):
    url = verification_url(code=rich_certificate.code)
    assert url.startswith("http") and url.endswith(f"/chung-chi/{rich_certificate.code}/")
    images = _reader(rich_certificate).pages[0].images
    assert len(images) == 1
    image = images[0].image.convert("L")
    expected = qr_matrix(url)
    modules = len(expected)
    assert image.width == image.height and image.width % modules == 0
    step = image.width // modules  # sample each module at its centre
    drawn = [[image.getpixel((x * step + step // 2, y * step + step // 2)) < 128 for x in range(modules)]
             for y in range(modules)]
    assert drawn == expected
    # And it is not just any QR code: another URL encodes differently.
    assert qr_matrix(url + "x") != expected


def test_vietnamese_date_format():
    import datetime

    assert date_vietnamese(datetime.date(2025, 3, 5)) == "ngày 05 tháng 3 năm 2025"
