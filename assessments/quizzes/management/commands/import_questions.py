"""Import a question file: ./manage.py import_questions FILE [--format …] [--category PATH]
[--valid-only] [--dry-run]. Prints one line per question (ok / error and why)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assessments.quizzes.formats.services import FORMATS, category_by_path, questions_import


class Command(BaseCommand):
    help = "Nhập câu hỏi từ tệp CSV, XLSX, Moodle XML hoặc GIFT vào ngân hàng câu hỏi."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", default="auto", choices=["auto", *FORMATS])
        parser.add_argument(
            "--category", default="", help="Nhóm gốc (đường dẫn “A/B”) để đặt các nhóm và câu hỏi trong tệp."
        )
        parser.add_argument(
            "--valid-only", action="store_true", help="Nhập các câu hợp lệ, bỏ qua (và liệt kê) các câu lỗi."
        )
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi gì.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Không đọc được tệp %(p)s: %(e)s") % {"p": path, "e": exc.strerror}
            ) from None
        base = None
        if options["category"]:
            base = category_by_path(path=options["category"], create=not options["dry_run"])
        report = questions_import(
            data=data,
            format=options["format"],
            filename=path.name,
            base_category=base,
            mode="valid_only" if options["valid_only"] else "all_or_nothing",
            dry_run=options["dry_run"],
        )
        if report.file_error:
            raise CommandError(report.file_error)
        for row in report.rows:
            line = f"{row.location}\t{row.status}\t{row.title}"
            if row.ok:
                self.stdout.write(line)
            else:
                self.stdout.write(self.style.ERROR(f"{line}\t{row.reason}"))
        summary = _("Định dạng %(f)s: %(ok)s câu hợp lệ, %(bad)s câu lỗi; đã ghi %(n)s.") % {
            "f": report.format,
            "ok": report.valid,
            "bad": len(report.invalid),
            "n": report.written,
        }
        if report.dry_run:
            summary += " " + _("(chạy thử: không ghi gì)")
        elif report.invalid and report.mode == "all_or_nothing":
            summary += " " + _(
                "Có câu lỗi nên không ghi câu nào; sửa tệp, hoặc dùng --valid-only để chỉ nhập câu hợp lệ."
            )
        self.stdout.write(summary)
        if report.invalid and not report.written and not report.dry_run:
            raise CommandError(_("Không nhập câu hỏi nào."))
