"""`manage.py load_selfassessment`: load the self-assessment instrument (safe to re-run)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assessments.loading import LoadError
from assessments.management.commands.load_frameworks import write_load_report
from assessments.selfassessment_loading import DEFAULT_FILE, selfassessment_load


class Command(BaseCommand):
    help = "Nạp bộ công cụ tự đánh giá năng lực số và quy tắc tính điểm (chạy lại an toàn)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE)

    def handle(self, *args, file: Path, **options):
        try:
            report = selfassessment_load(path=file)
        except LoadError as exc:
            raise CommandError(str(exc)) from exc
        write_load_report(self.stdout.write, self.style, report)
        if report.changed_anything:
            self.stdout.write(self.style.SUCCESS(_("Đã nạp xong.")))
        else:
            self.stdout.write(self.style.SUCCESS(_("Không có gì thay đổi: cơ sở dữ liệu đã khớp với tệp.")))
