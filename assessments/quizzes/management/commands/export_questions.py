"""Export the question bank: ./manage.py export_questions [--category PATH] --format … FILE."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assessments.quizzes.formats.services import (
    FORMATS,
    category_by_path,
    questions_export,
    questions_for_export,
)


class Command(BaseCommand):
    help = "Xuất câu hỏi (đang dùng) ra tệp CSV, XLSX, Moodle XML hoặc GIFT."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument(
            "--category", default="", help="Chỉ xuất nhóm này (đường dẫn “A/B”) và các nhóm con."
        )

    def handle(self, *args, **options):
        category = None
        if options["category"]:
            category = category_by_path(path=options["category"])
            if category is None:
                raise CommandError(_("Không có nhóm câu hỏi “%(c)s”.") % {"c": options["category"]})
        data = questions_export(format=options["format"], category=category)
        Path(options["file"]).write_bytes(data)
        count = len(questions_for_export(category=category))
        self.stdout.write(_("Đã xuất %(n)s câu hỏi vào %(f)s.") % {"n": count, "f": options["file"]})
