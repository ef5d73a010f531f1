"""Benchmark: certificate PDFs per second in one worker process. Never run in CI.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_certificates \
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/bench_certificates.py

One process, no parallelism, as a Celery worker process runs the certificates queue.
Two measurements, each over BENCH_PDFS certificates (default 200) after a warm-up:

- drawing: `courses.certificates.pdf.certificate_pdf_bytes`, the ReportLab drawing of
  a certificate (fonts, text, QR code, compression) for distinct learners and codes;
- the whole job: `courses.certificates.services.certificate_pdf_render` on pending
  certificates in the database (read the row, draw, store the file in MEDIA_ROOT, a
  temporary directory here, mark it ready and queue the "ready" message).

Each prints PDFs per second of wall-clock time and per second of this process's CPU
time: the machine is shared, and the CPU figure is what one worker does with a core of
its own. The load average is printed beside them.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
os.environ["DJANGO_DEBUG"] = "false"
os.environ.setdefault("CERTIFICATE_BASE_URL", "https://kynangso.example.vn")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from content.demo import demo_site_build  # noqa: E402
from courses.certificates.codes import code_generate  # noqa: E402
from courses.certificates.models import Certificate  # noqa: E402
from courses.certificates.pdf import certificate_pdf_bytes  # noqa: E402
from courses.certificates.services import certificate_pdf_render  # noqa: E402
from courses.demo import DEMO_DIR, catalogue_get_or_create, course_build  # noqa: E402
from courses.models import CourseCompletion, CoursePage  # noqa: E402

PDFS = int(os.environ.get("BENCH_PDFS", "200"))
COMPETENCES = [
    {"code": "digcomp-2.2:1.1", "title": "Duyệt, tìm kiếm và lọc dữ liệu, thông tin và nội dung số",
     "level": "2", "evidence_level": "2"},
    {"code": "digcomp-2.2:4.2", "title": "Bảo vệ dữ liệu cá nhân và quyền riêng tư",
     "level": "2", "evidence_level": "2"},
    {"code": "digcomp-2.2:2.2", "title": "Chia sẻ thông qua công nghệ số", "level": "2",
     "evidence_level": "2"},
]
NAMES = ["Nguyễn Thị Ánh", "Trần Văn Bình", "Lê Hoàng Yến", "Phạm Đức Thắng", "Hoàng Thị Ngọc Diệp"]


def _certificate(i: int) -> Certificate:
    return Certificate(
        code=code_generate(), issued_at=timezone.now(), learner_name=f"{NAMES[i % len(NAMES)]} {i}",
        course_title="Sử dụng VNeID và dịch vụ công trực tuyến an toàn, hiệu quả",
        course_level="Cơ bản", competences=COMPETENCES[: 1 + i % 3],
    )


def _rate(label: str, count: int, run) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"| {label} | {count} | {count / wall:.1f} | {count / cpu:.1f} | {1000 * cpu / count:.1f} | "
          f"{os.getloadavg()[0]:.1f} |", flush=True)


def pending_certificates(count: int) -> list[int]:
    """`count` certificates waiting for their PDF (completions of bench learners)."""
    call_command("migrate", verbosity=0)
    demo_site_build()
    index, _ = catalogue_get_or_create()
    course = CoursePage.objects.first()
    if course is None:
        import json

        data = json.loads(sorted(DEMO_DIR.glob("*.json"))[0].read_text(encoding="utf-8"))
        with transaction.atomic():
            course = course_build(index=index, data=data)
    User = get_user_model()
    run = int(time.time())
    users = User.objects.bulk_create(
        [User(username=f"bench-cert-{run}-{i}", full_name=f"{NAMES[i % len(NAMES)]} {i}")
         for i in range(count)]
    )
    now = timezone.now()
    completions = CourseCompletion.objects.bulk_create(
        [CourseCompletion(learner=user, course=course, completed_at=now) for user in users]
    )
    certificates = Certificate.objects.bulk_create([
        Certificate(learner=completion.learner, course=course, completion=completion, code=code_generate(),
                    issued_at=now, learner_name=completion.learner.full_name, course_title=course.title,
                    course_level="Cơ bản", competences=COMPETENCES[: 1 + i % 3])
        for i, completion in enumerate(completions)
    ])
    return [c.pk for c in certificates]


def main() -> None:
    print(f"load average at the start: {os.getloadavg()}")
    print("| what | PDFs | per second (wall clock) | per second of CPU | CPU ms per PDF | load average |")
    print("|---|---|---|---|---|---|")
    for i in range(5):  # warm-up: fonts registered, modules imported
        certificate_pdf_bytes(certificate=_certificate(i))
    drawn = [_certificate(i) for i in range(PDFS)]
    _rate("drawing (certificate_pdf_bytes)", PDFS,
          lambda: [certificate_pdf_bytes(certificate=c) for c in drawn])
    ids = pending_certificates(PDFS + 5)
    with tempfile.TemporaryDirectory() as media:
        settings.MEDIA_ROOT = media
        for pk in ids[:5]:
            certificate_pdf_render(certificate_id=pk)
        _rate("whole job (certificate_pdf_render: read, draw, store, mark ready)", PDFS,
              lambda: [certificate_pdf_render(certificate_id=pk) for pk in ids[5:]])
        ready = Certificate.objects.filter(pk__in=ids, pdf_state=Certificate.PdfState.READY).count()
        assert ready == len(ids), ready


if __name__ == "__main__":
    main()
