"""Test-only: a real Celery worker process that stops inside a chosen job and waits there,
so a fault test can SIGKILL it mid-job. Production code has no hook for this: the pause
is patched in here, around the real code, before the worker starts.

    python -m tests.faults.slow_worker --broker redis://… --pause-in certificate|rollups \
        --marker /tmp/inside --media-root /tmp/media --lease 2

--pause-in certificate: after the PDF is drawn, before it is stored (certificates.render_pdf).
--pause-in rollups: after the village rollups are written, before the transaction commits
(indicators.rollups_refresh).
--lease: the lease, in seconds, that this worker takes on those jobs (production: 300 and
900 s), so the test waits seconds, not minutes, for the sweep to presume it dead.
The marker file appears when the worker is inside the job.
"""

import argparse
import dataclasses
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--pause-in", choices=["certificate", "rollups"], required=True)
    parser.add_argument("--marker", required=True)
    parser.add_argument("--media-root", required=True)
    parser.add_argument("--lease", type=int, default=2)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    settings.MEDIA_ROOT = args.media_root

    from lms.celery_app import app
    from lms.jobs import registry

    app.conf.broker_url = args.broker
    app.conf.task_always_eager = False
    for name in ("certificates.render_pdf", "indicators.rollups_refresh"):
        handler = registry.handler_get(name)
        registry._handlers[name] = dataclasses.replace(handler, lease_seconds=args.lease)

    def pause() -> None:
        Path(args.marker).write_text(str(os.getpid()))
        time.sleep(3600)  # until the test kills this process

    def pausing_after(real):
        def wrapper(*a, **kw):
            result = real(*a, **kw)
            pause()
            return result

        return wrapper

    if args.pause_in == "certificate":
        import courses.certificates.pdf as pdf

        pdf.certificate_pdf_bytes = pausing_after(pdf.certificate_pdf_bytes)
    else:
        import community_teams.indicators.services as services

        # Whichever writer the refresh uses (the set-based one on PostgreSQL).
        services._villages_write = pausing_after(services._villages_write)
        services._villages_write_sql = pausing_after(services._villages_write_sql)

    app.worker_main(
        [
            "worker", "--pool", "solo", "--concurrency", "1", "--loglevel", "INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--hostname", f"faults-{os.getpid()}@localhost",
        ]
    )


if __name__ == "__main__":
    main()
