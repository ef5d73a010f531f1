"""`manage.py import_case FILE [--code CODE] [--dry-run]`: import a CASE 1.0 JSON package."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assessments.case import framework_case_import
from assessments.management.commands.load_frameworks import write_load_report


class Command(BaseCommand):
    help = ("Nhập một gói IMS CASE 1.0 (JSON) thành khung năng lực. Gói lỗi thì không ghi gì và liệt kê "
            "từng phần bị từ chối.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--code", default="", help=_("Mã khung khi nhập (mặc định: mã trong gói)."))
        parser.add_argument("--dry-run", action="store_true", help=_("Chỉ kiểm tra và đếm, không ghi."))

    def handle(self, *args, file: Path, code: str, dry_run: bool, **options):
        try:
            package = json.loads(file.read_text(encoding="utf-8-sig"))
        except FileNotFoundError as exc:
            raise CommandError(_("Không tìm thấy tệp %(path)s.") % {"path": file}) from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            message = _("Tệp %(path)s không phải JSON hợp lệ: %(err)s") % {"path": file, "err": exc}
            raise CommandError(message) from exc
        report = framework_case_import(package=package, code=code, dry_run=dry_run)
        for note in report.notes:
            self.stdout.write(f"  · {note}")
        if not report.ok:
            for problem in report.rejected:
                self.stderr.write(f"  - {problem}")
            raise CommandError(
                _("Gói bị từ chối (%(n)s lỗi); không ghi gì vào cơ sở dữ liệu.") % {"n": len(report.rejected)}
            )
        write_load_report(self.stdout.write, self.style, report)
        if dry_run:
            self.stdout.write(self.style.SUCCESS(
                _("Chạy thử: gói hợp lệ cho khung “%(code)s”; không ghi gì.")
                % {"code": report.framework_code}))
        else:
            self.stdout.write(self.style.SUCCESS(
                _("Đã nhập khung “%(code)s”.") % {"code": report.framework_code}))
