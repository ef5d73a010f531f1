"""`manage.py load_frameworks`: load DigComp 2.2, TT02 and their crosswalk (safe to re-run)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assessments.loading import DATA_DIR, LoadError, LoadReport, frameworks_load


def write_load_report(out, style, report: LoadReport) -> None:
    for label in report.labels:
        out(
            _("%(label)s: tạo mới %(c)s, thay đổi %(u)s, giữ nguyên %(s)s")
            % {"label": label, "c": report.created[label], "u": report.changed[label],
               "s": report.unchanged[label]}
        )
    for label, count in report.not_in_file.items():
        if count:
            out(_("%(label)s: %(n)s bản ghi có trong cơ sở dữ liệu nhưng không có trong tệp (giữ lại)")
                % {"label": label, "n": count})
    if report.unmatched:
        out(style.WARNING(_("Không dùng được %(n)s dòng:") % {"n": len(report.unmatched)}))
        for line in report.unmatched:
            out(f"  - {line}")
    else:
        out(_("Không dùng được: 0 dòng."))


class Command(BaseCommand):
    help = "Nạp khung năng lực số DigComp 2.2, Thông tư 02/2025 và bảng đối chiếu (chạy lại an toàn)."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", type=Path, default=DATA_DIR)

    def handle(self, *args, data_dir: Path, **options):
        try:
            report = frameworks_load(data_dir=data_dir)
        except LoadError as exc:
            raise CommandError(str(exc)) from exc
        write_load_report(self.stdout.write, self.style, report)
        if report.changed_anything:
            self.stdout.write(self.style.SUCCESS(_("Đã nạp xong.")))
        else:
            self.stdout.write(self.style.SUCCESS(_("Không có gì thay đổi: cơ sở dữ liệu đã khớp với tệp.")))
