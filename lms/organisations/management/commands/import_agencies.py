"""`manage.py import_agencies FILE`: import agencies from CSV, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.organisations.services import agency_import_csv

STATUS_LABELS = {
    "create": gettext_lazy("tạo mới"),
    "update": gettext_lazy("cập nhật"),
    "unchanged": gettext_lazy("giữ nguyên"),
    "error": gettext_lazy("lỗi"),
}


class Command(BaseCommand):
    help = "Nhập cơ quan, đơn vị từ tệp CSV (code, name, parent_code, unit_code). Có lỗi thì không ghi gì."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.exists():
            raise CommandError(_("Không tìm thấy tệp %(path)s.") % {"path": file})
        report = agency_import_csv(data=file.read_bytes(), dry_run=dry_run)
        for message in report.errors:
            self.stderr.write(message)
        for row in report.rows:
            if row.status == "error":
                self.stderr.write(
                    _("Dòng %(line)s (%(code)s): %(msg)s")
                    % {"line": row.line, "code": row.code, "msg": row.message}
                )
        summary = ", ".join(
            f"{label} {report.count(status)}" for status, label in STATUS_LABELS.items()
        )
        self.stdout.write(summary)
        if not report.ok:
            raise CommandError(_("Có lỗi: không ghi gì vào cơ sở dữ liệu. Hãy sửa tệp rồi chạy lại."))
        if dry_run:
            self.stdout.write(_("Chỉ kiểm tra (--dry-run): không ghi gì."))
        elif report.count("create") + report.count("update") == 0:
            self.stdout.write(self.style.SUCCESS(_("Không có gì thay đổi.")))
        else:
            self.stdout.write(self.style.SUCCESS(_("Đã nhập xong.")))
