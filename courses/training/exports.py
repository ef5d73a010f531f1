"""Spreadsheet exports for managers (openpyxl, write-only so large plans stream)."""

from __future__ import annotations

import datetime
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from lms.core.spreadsheets import export_row

from .models import PlanAssignment, TrainingPlan


def plan_assignments_xlsx(*, plan: TrainingPlan, rows, now: datetime.datetime) -> bytes:
    """One row per assignment: person, agency, position, category, status, progress,
    due date, completed at (Vietnam time), on time / late / overdue, extension and
    exemption with reasons. The first lines state the plan and when it was exported."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Danh sách"))
    sheet.append(export_row(
        [_("Kế hoạch"), plan.name, _("Năm"), plan.year, _("Hạn"), plan.deadline.strftime("%d/%m/%Y")],
        xlsx=True,
    ))
    sheet.append(export_row([_("Xuất lúc"), timezone.localtime(now).strftime("%H:%M %d/%m/%Y")]))
    sheet.append([])
    sheet.append(export_row(
        [
            _("Họ và tên"),
            _("Email"),
            _("Cơ quan, đơn vị"),
            _("Chức danh"),
            _("Phân loại"),
            _("Trạng thái"),
            _("Đã xong"),
            _("Phải hoàn thành"),
            _("Hạn (hết ngày)"),
            _("Hoàn thành lúc"),
            _("Đánh giá"),
            _("Gia hạn đến"),
            _("Lý do gia hạn"),
            _("Lý do miễn"),
            _("Rời phạm vi ngày"),
        ],
        xlsx=True,
    ))
    for a in rows.iterator(chunk_size=2000):
        if a.status == PlanAssignment.Status.COMPLETED:
            verdict = _("đúng hạn") if a.completed_at < a.due_before else _("trễ hạn")
        elif a.status == PlanAssignment.Status.EXEMPT:
            verdict = ""
        else:
            verdict = _("quá hạn") if now >= a.due_before else _("chưa đến hạn")
        sheet.append(export_row(
            [
                a.user.display_name,
                a.user.email,
                a.agency.name,
                a.position.name if a.position_id else "",
                a.get_category_display(),
                a.get_status_display(),
                a.items_done,
                a.items_required,
                a.due_on.strftime("%d/%m/%Y"),
                timezone.localtime(a.completed_at).strftime("%H:%M %d/%m/%Y") if a.completed_at else "",
                verdict,
                a.extended_to.strftime("%d/%m/%Y") if a.extended_to else "",
                a.extension_reason,
                a.exempt_reason if a.status == PlanAssignment.Status.EXEMPT else "",
                a.left_on.strftime("%d/%m/%Y") if a.left_on else "",
            ],
            xlsx=True,
        ))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
