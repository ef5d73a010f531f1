"""Official-report exports of the compliance figures: XLSX (openpyxl) and PDF (ReportLab,
Be Vietnam Pro). Both print what `selectors.compliance_for_agency` /
`selectors.dti_evidence_for_agency` return, nothing else, and state the scope, the
reporting period, when the figures were last refreshed and when the file was made."""

import io
import unicodedata
from functools import cache

import fontpkg
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lms.core.spreadsheets import export_row

from .selectors import AgencyCompliance, DtiEvidence, Figures

FAMILY = "Be Vietnam Pro"
REGULAR = "BeVietnamPro"
BOLD = "BeVietnamPro-Bold"


def figure_headers() -> list[str]:
    return [
        _("Được giao"), _("Hoàn thành đúng hạn"), _("Hoàn thành muộn"), _("Đang thực hiện"),
        _("Chưa bắt đầu"), _("Quá hạn"), _("Được miễn"), _("Tỉ lệ hoàn thành (%)"),
    ]


def figure_values(f: Figures) -> list[int]:
    return [f.assigned, f.on_time, f.late, f.in_progress, f.not_started, f.overdue, f.exempt,
            f.completed_percent]


def _when(value) -> str:
    return date_format(timezone.localtime(value), "d/m/Y H:i") if value else _("chưa tổng hợp")


def report_header(report: AgencyCompliance | DtiEvidence, title: str) -> list[tuple[str, str]]:
    rows = [
        (_("Báo cáo"), title),
        (_("Phạm vi"), _("%(agency)s và các đơn vị trực thuộc") % {"agency": report.agency.name}),
        (_("Kỳ báo cáo"), _("Năm %(year)d: từ %(start)s đến %(end)s") % {
            "year": report.year, "start": report.date_from.strftime("%d/%m/%Y"),
            "end": report.date_to.strftime("%d/%m/%Y")}),
    ]
    plan = getattr(report, "plan", None)
    rows.append((_("Kế hoạch"), plan.name if plan else _("Tất cả kế hoạch của năm")))
    rows += [
        (_("Số liệu tổng hợp lúc"), _when(report.refreshed_at)),
        (_("Quá hạn tính đến"), _when(report.now)),
        (_("Thời điểm lập báo cáo"), _when(timezone.now())),
    ]
    return rows


def compliance_sections(report: AgencyCompliance) -> list[tuple[str, list[str], list[list]]]:
    """(title, header, rows) of every table of the report, shared by XLSX and PDF."""
    head = figure_headers()
    sections = [
        (_("Tổng hợp"), ["", *head], [[_("Toàn bộ phạm vi"), *figure_values(report.totals)]]),
    ]
    child_rows = [[row.label, *figure_values(row.figures)] for row in report.children]
    if report.direct.assigned or report.direct.exempt:
        child_rows.append([_("Trực tiếp tại %(agency)s") % {"agency": report.agency.name},
                           *figure_values(report.direct)])
    sections.append((_("Theo đơn vị"), [_("Đơn vị"), *head], child_rows))
    sections.append((_("Theo chức danh"), [_("Chức danh"), *head],
                     [[row.label, *figure_values(row.figures)] for row in report.by_position]))
    sections.append((_("Theo phân loại"), [_("Phân loại"), *head],
                     [[row.label, *figure_values(row.figures)] for row in report.by_category]))
    sections.append((
        _("Theo tháng (cuối mỗi tháng)"),
        [_("Tháng"), _("Được giao"), _("Đã hoàn thành"), _("Đúng hạn"), _("Muộn"), _("Quá hạn"),
         _("Tỉ lệ hoàn thành (%)")],
        [[f"{m.month:02d}/{report.year}", m.assigned, m.completed, m.on_time, m.late, m.overdue,
          m.completed_percent] for m in report.months],
    ))
    sections.append((
        _("Năng lực yếu nhất"),
        [_("Mã"), _("Năng lực"), _("Số người có yêu cầu"), _("Chưa đạt"), _("Tỉ lệ chưa đạt (%)")],
        [[w.code, w.title, w.with_target, w.below, w.below_percent] for w in report.weakest],
    ))
    return sections


def dti_sections(report: DtiEvidence) -> list[tuple[str, list[str], list[list]]]:
    return [
        (_("Nhân lực được bồi dưỡng kỹ năng số trong năm"),
         [_("Số người phải bồi dưỡng"), _("Đã hoàn thành toàn bộ"), _("Tỉ lệ (%)")],
         [[report.staff, report.trained, report.trained_percent]]),
        (_("Tỉ lệ đạt mức yêu cầu theo miền năng lực"),
         [_("Khung"), _("Miền"), _("Tên miền năng lực"), _("Số người có yêu cầu"), _("Đạt mức yêu cầu"),
          _("Tỉ lệ (%)")],
         [[a.framework, a.code, a.title, a.with_target, a.at_level, a.percent] for a in report.areas]),
    ]


# --- XLSX -----------------------------------------------------------------------------------


def _xlsx(title: str, header: list[tuple[str, str]], sections) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("Thông tin")[:31]
    for key, value in header:
        ws.append(export_row([key, value], xlsx=True))
        ws.cell(ws.max_row, 1).font = Font(bold=True)
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 60
    for name, head, rows in sections:
        sheet = wb.create_sheet(name[:31])
        sheet.append(export_row(head, xlsx=True))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(export_row(row, xlsx=True))
        sheet.column_dimensions["A"].width = 34
        sheet.freeze_panes = "B2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def compliance_xlsx(*, report: AgencyCompliance) -> bytes:
    title = _("Tình hình thực hiện bồi dưỡng kỹ năng số bắt buộc")
    return _xlsx(title, report_header(report, title), compliance_sections(report))


def dti_xlsx(*, report: DtiEvidence) -> bytes:
    title = _("Minh chứng nhân lực số (chỉ số DTI)")
    return _xlsx(title, report_header(report, title), dti_sections(report))


# --- PDF ------------------------------------------------------------------------------------


@cache
def fonts_register() -> None:
    pdfmetrics.registerFont(TTFont(REGULAR, str(fontpkg.path(FAMILY, 400))))
    pdfmetrics.registerFont(TTFont(BOLD, str(fontpkg.path(FAMILY, 700))))


def _nfc(value) -> str:
    return unicodedata.normalize("NFC", str(value))


def _pdf(title: str, header: list[tuple[str, str]], sections) -> bytes:
    fonts_register()
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=8, leading=10)
    bold = ParagraphStyle("bold", parent=base, fontName=BOLD)
    h1 = ParagraphStyle("h1", parent=base, fontName=BOLD, fontSize=14, leading=18, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=11, leading=14, spaceBefore=8,
                        spaceAfter=4)
    story = [Paragraph(_nfc(title), h1)]
    meta = Table([[Paragraph(_nfc(k), bold), Paragraph(_nfc(v), base)] for k, v in header],
                 colWidths=[45 * mm, 130 * mm])
    meta.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [meta, Spacer(1, 4 * mm)]
    for name, head, rows in sections:
        story.append(Paragraph(_nfc(name), h2))
        if not rows:
            story.append(Paragraph(_nfc(_("Chưa có số liệu.")), base))
            continue
        data = [[Paragraph(_nfc(h), bold) for h in head]]
        data += [[Paragraph(_nfc(c), base) for c in row] for row in rows]
        first = 40 * mm if len(head) > 6 else 60 * mm
        rest = (180 * mm - first) / max(len(head) - 1, 1)
        table = Table(data, colWidths=[first] + [rest] * (len(head) - 1), repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(table)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=_nfc(title))
    doc.build(story)
    return buf.getvalue()


def compliance_pdf(*, report: AgencyCompliance) -> bytes:
    title = _("Tình hình thực hiện bồi dưỡng kỹ năng số bắt buộc")
    return _pdf(title, report_header(report, title), compliance_sections(report))


def dti_pdf(*, report: DtiEvidence) -> bytes:
    title = _("Minh chứng nhân lực số (chỉ số DTI)")
    return _pdf(title, report_header(report, title), dti_sections(report))
