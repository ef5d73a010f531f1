"""`manage.py export_case FRAMEWORK_CODE [FILE]`: write a framework as a CASE 1.0 JSON package."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assessments.case import framework_case_export
from assessments.models import Framework


class Command(BaseCommand):
    help = "Xuất một khung năng lực thành gói IMS CASE 1.0 (JSON); không có FILE thì in ra màn hình."

    def add_arguments(self, parser):
        parser.add_argument("framework_code")
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument("--language", choices=["vi", "en"], default="vi")

    def handle(self, *args, framework_code: str, file: Path | None, language: str, **options):
        framework = Framework.objects.filter(code=framework_code).first()
        if framework is None:
            known = ", ".join(Framework.objects.values_list("code", flat=True)) or "—"
            raise CommandError(
                _("Không có khung năng lực “%(code)s”. Có: %(known)s.")
                % {"code": framework_code, "known": known}
            )
        text = json.dumps(framework_case_export(framework=framework, language=language),
                          ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        if file is None:
            self.stdout.write(text, ending="")
            return
        file.write_text(text, encoding="utf-8")
        self.stderr.write(_("Đã ghi %(path)s.") % {"path": file})
