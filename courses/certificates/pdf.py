"""The certificate as a PDF: A4 landscape, Vietnamese, Be Vietnam Pro, with a QR code.

Be Vietnam Pro (OFL) comes from the PyPI package `fontpkg-be-vietnam-pro`; `fontpkg.path`
finds its TTF files, which ReportLab embeds (subset) so every Vietnamese glyph prints and
the text can be copied and searched. Text is NFC-normalised first: the font has the
precomposed letters (ễ, ị, Á …), while combining marks would print misplaced.

The QR code is the absolute public verification URL, drawn as a lossless image of whole
pixels per module (sharp when printed, and the tests can read the modules back).
"""

import io
import unicodedata
from functools import cache

import fontpkg
import qrcode
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from courses.certificates.models import Certificate
from courses.certificates.selectors import verification_url

FAMILY = "Be Vietnam Pro"
REGULAR = "BeVietnamPro"
BOLD = "BeVietnamPro-Bold"
INK = HexColor("#1a2b49")
ACCENT = HexColor("#b3261e")
MUTED = HexColor("#4a5568")


@cache
def fonts_register() -> None:
    pdfmetrics.registerFont(TTFont(REGULAR, str(fontpkg.path(FAMILY, 400))))
    pdfmetrics.registerFont(TTFont(BOLD, str(fontpkg.path(FAMILY, 700))))


def date_vietnamese(value) -> str:
    """5 March 2025 → "ngày 05 tháng 3 năm 2025" (the administrative style), local time."""
    day = timezone.localtime(value).date() if hasattr(value, "tzinfo") else value
    return _("ngày %(day)02d tháng %(month)d năm %(year)d") % {
        "day": day.day, "month": day.month, "year": day.year}


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR modules of `url` (with the 4-module quiet zone), as qrcode encodes it."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.get_matrix()


QR_PIXELS_PER_MODULE = 8


def qr_image(url: str):
    """The QR code as a greyscale image, QR_PIXELS_PER_MODULE pixels a module (sharp
    even where a viewer smooths scaled images)."""
    from PIL import Image

    matrix = qr_matrix(url)
    size = len(matrix)
    image = Image.new("L", (size, size), 255)
    image.putdata([0 if dark else 255 for row in matrix for dark in row])
    return image.resize((size * QR_PIXELS_PER_MODULE,) * 2, Image.Resampling.NEAREST)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def _centred(pdf: canvas.Canvas, text: str, *, y: float, font: str, size: float, width: float,
             colour=INK, max_lines: int = 2, leading: float | None = None) -> float:
    pdf.setFillColor(colour)
    pdf.setFont(font, size)
    lines = simpleSplit(_nfc(text), font, size, width)[:max_lines]
    leading = leading or size * 1.25
    for line in lines:
        pdf.drawCentredString(A4[1] / 2, y, line)
        y -= leading
    return y


def certificate_pdf_bytes(*, certificate: Certificate) -> bytes:
    """Draw the certificate, in Vietnamese whatever the current language."""
    fonts_register()
    url = verification_url(code=certificate.code)
    buffer = io.BytesIO()
    page_w, page_h = landscape(A4)
    with translation.override("vi"):
        pdf = canvas.Canvas(buffer, pagesize=(page_w, page_h), pageCompression=1)
        pdf.setTitle(_nfc(_("Chứng nhận %(code)s") % {"code": certificate.code_display}))
        pdf.setAuthor(_nfc(_("Kỹ năng số cho mọi người")))
        pdf.setSubject(_nfc(certificate.course_title))

        pdf.setStrokeColor(INK)
        pdf.setLineWidth(3)
        pdf.rect(24, 24, page_w - 48, page_h - 48)
        pdf.setStrokeColor(ACCENT)
        pdf.setLineWidth(1)
        pdf.rect(32, 32, page_w - 64, page_h - 64)

        text_w = page_w - 160
        y = page_h - 80
        y = _centred(pdf, _("KỸ NĂNG SỐ CHO MỌI NGƯỜI"), y=y, font=BOLD, size=12, width=text_w, colour=MUTED)
        y = _centred(pdf, _("CHỨNG NHẬN"), y=y - 36, font=BOLD, size=40, width=text_w, colour=ACCENT)
        y = _centred(pdf, _("HOÀN THÀNH KHOÁ HỌC"), y=y - 2, font=BOLD, size=15, width=text_w)
        y = _centred(pdf, _("Trao cho"), y=y - 14, font=REGULAR, size=13, width=text_w, colour=MUTED)
        y = _centred(pdf, certificate.learner_name, y=y - 20, font=BOLD, size=30, width=text_w)
        y = _centred(pdf, _("đã hoàn thành khoá học"), y=y - 2, font=REGULAR, size=13, width=text_w,
                     colour=MUTED)
        y = _centred(pdf, certificate.course_title, y=y - 12, font=BOLD, size=19, width=text_w)

        # Competences, left-aligned in the space left of the QR code.
        left = 72
        qr_size = 112
        comp_w = page_w - left - qr_size - 110
        y -= 10
        if certificate.competences:
            pdf.setFillColor(INK)
            pdf.setFont(BOLD, 11)
            pdf.drawString(left, y, _nfc(_("Năng lực đạt được và trình độ:")))
            y -= 15
            pdf.setFont(REGULAR, 10)
            for label in certificate.competence_labels[:6]:
                line = f"• {label}"
                for part in simpleSplit(_nfc(line), REGULAR, 10, comp_w)[:2]:
                    if y < 70:
                        break
                    pdf.drawString(left, y, part)
                    y -= 13

        # Foot: date and code on the left, the QR code on the right.
        pdf.setFillColor(INK)
        pdf.setFont(REGULAR, 11)
        pdf.drawString(left, 88, _nfc(_("Cấp %(date)s") % {"date": date_vietnamese(certificate.issued_at)}))
        pdf.setFont(BOLD, 12)
        pdf.drawString(left, 70, _nfc(_("Mã chứng nhận: %(code)s") % {"code": certificate.code_display}))
        pdf.setFont(REGULAR, 8)
        pdf.setFillColor(MUTED)
        pdf.drawString(left, 54, _nfc(_("Kiểm tra tại: %(url)s") % {"url": url}))

        qr_x = page_w - 72 - qr_size
        qr_y = 52
        pdf.drawImage(ImageReader(qr_image(url)), qr_x, qr_y, width=qr_size, height=qr_size)
        pdf.setFont(REGULAR, 8)
        pdf.drawCentredString(qr_x + qr_size / 2, qr_y - 10, _nfc(_("Quét mã để kiểm tra")))
        pdf.showPage()
        pdf.save()
    return buffer.getvalue()
