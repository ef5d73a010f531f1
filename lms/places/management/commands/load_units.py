"""`manage.py load_units`: load the official unit list and the 2025 successions."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lms.places.loading import QUIRK_LABELS, SUCCESSION_FILE, UNITS_FILE, LoadError, units_load
from lms.places.models import CURRENT_EDITION, AdministrativeUnit, UnitSuccession


class Command(BaseCommand):
    help = "Nạp danh mục đơn vị hành chính từ 1/7/2025 và bảng kế thừa xã cũ → xã mới (chạy lại an toàn)."

    def add_arguments(self, parser):
        parser.add_argument("--units-file", type=Path, default=UNITS_FILE)
        parser.add_argument("--succession-file", type=Path, default=SUCCESSION_FILE)

    def handle(self, *args, units_file: Path, succession_file: Path, **options):
        started = time.monotonic()
        try:
            report = units_load(units_file=units_file, succession_file=succession_file)
        except LoadError as exc:
            raise CommandError(str(exc)) from exc
        out = self.stdout.write
        labels = list(dict.fromkeys([*report.created, *report.changed, *report.unchanged]))
        for label in labels:
            out(
                _("%(label)s: tạo mới %(c)s, thay đổi %(u)s, giữ nguyên %(s)s")
                % {"label": label, "c": report.created[label], "u": report.changed[label],
                   "s": report.unchanged[label]}
            )
        for label, count in report.not_in_file.items():
            if count:
                out(_("%(label)s: %(n)s bản ghi có trong cơ sở dữ liệu nhưng không có trong tệp (giữ lại)")
                    % {"label": label, "n": count})
        out(_("Điểm bất thường của nguồn đã xử lý:"))
        for key, count in sorted(report.quirks.items()):
            if count:
                out(f"  - {QUIRK_LABELS.get(key, key)}: {count}")
        if report.unmatched:
            out(self.style.WARNING(_("Không khớp được %(n)s dòng:") % {"n": len(report.unmatched)}))
            for line in report.unmatched:
                out(f"  - {line}")
        else:
            out(_("Không khớp được: 0 dòng."))
        current = AdministrativeUnit.objects.filter(edition=CURRENT_EDITION)
        out(
            _("Tổng: %(p)s tỉnh, thành phố; %(c)s xã, phường, đặc khu; %(s)s quan hệ kế thừa.")
            % {"p": current.filter(level="province").count(), "c": current.filter(level="commune").count(),
               "s": UnitSuccession.objects.filter(kind__in=["whole", "partial"]).count()}
        )
        if report.changed_anything:
            out(self.style.SUCCESS(_("Đã nạp xong trong %(t).1f giây.") % {"t": time.monotonic() - started}))
        else:
            out(self.style.SUCCESS(
                _("Không có gì thay đổi: cơ sở dữ liệu đã khớp với tệp (%(t).1f giây).")
                % {"t": time.monotonic() - started}
            ))
