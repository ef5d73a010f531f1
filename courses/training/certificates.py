"""The certificate of completion of a year's training plan: issued when an assignment
becomes completed (assignments_refresh), drawn as a one-page PDF on request.

courses.certificates cannot carry it (its Certificate belongs to one course completion),
so this is a simple PDF of our own, with the same font (Be Vietnam Pro, whose
registration we borrow from courses.certificates.pdf) so every Vietnamese glyph prints.
"""

from __future__ import annotations

import io
import secrets
import unicodedata

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from courses.certificates.pdf import BOLD, REGULAR, date_vietnamese, fonts_register

from .models import PlanAssignment, TrainingCertificate

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _code() -> str:
    return "BD-" + "".join(secrets.choice(ALPHABET) for _ in range(10))


def certificates_issue(*, assignment_ids: list[int]) -> int:
    """Issue a certificate for each given completed assignment that has none (once)."""
    rows = list(
        PlanAssignment.objects.filter(
            pk__in=assignment_ids, status=PlanAssignment.Status.COMPLETED, certificate__isnull=True
        ).select_related("user", "plan", "agency")
    )
    certificates = [
        TrainingCertificate(
            assignment=row,
            code=_code(),
            issued_at=row.completed_at or timezone.now(),
            learner_name=row.user.display_name[:255],
            plan_name=row.plan.name,
            year=row.plan.year,
            agency_name=row.agency.name,
        )
        for row in rows
    ]
    TrainingCertificate.objects.bulk_create(certificates, ignore_conflicts=True)
    return len(certificates)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def certificate_pdf(*, certificate: TrainingCertificate) -> bytes:
    """A4 landscape, in Vietnamese whatever the current language."""
    fonts_register()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    ink, accent = HexColor("#1a2b49"), HexColor("#b3261e")
    with translation.override("vi"):
        pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
        pdf.setTitle(_nfc(_("Chứng nhận %(code)s") % {"code": certificate.code}))
        pdf.setStrokeColor(ink)
        pdf.setLineWidth(3)
        pdf.rect(24, 24, width - 48, height - 48)
        lines = [
            (BOLD, 12, _("KỸ NĂNG SỐ CHO MỌI NGƯỜI"), ink, 90),
            (BOLD, 34, _("CHỨNG NHẬN"), accent, 60),
            (BOLD, 15, _("HOÀN THÀNH BỒI DƯỠNG KỸ NĂNG SỐ NĂM %(y)s") % {"y": certificate.year}, ink, 40),
            (REGULAR, 13, _("Trao cho"), ink, 36),
            (BOLD, 28, certificate.learner_name, ink, 40),
            (REGULAR, 13, certificate.agency_name, ink, 30),
            (REGULAR, 13, _("đã hoàn thành kế hoạch bồi dưỡng"), ink, 30),
            (BOLD, 18, certificate.plan_name, ink, 26),
        ]
        y = height
        for font, size, text, colour, gap in lines:
            y -= gap
            pdf.setFont(font, size)
            pdf.setFillColor(colour)
            pdf.drawCentredString(width / 2, y, _nfc(text))
        pdf.setFont(REGULAR, 11)
        pdf.setFillColor(ink)
        pdf.drawString(72, 60, _nfc(_("Cấp %(date)s") % {"date": date_vietnamese(certificate.issued_at)}))
        pdf.drawRightString(width - 72, 60, _nfc(_("Mã chứng nhận: %(code)s") % {"code": certificate.code}))
        pdf.showPage()
        pdf.save()
    return buffer.getvalue()
