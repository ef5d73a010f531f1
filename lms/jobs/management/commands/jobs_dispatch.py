from django.core.management.base import BaseCommand

from lms.jobs.services import jobs_sweep_stale


class Command(BaseCommand):
    help = (
        "Run the outbox sweeper and dispatcher once: re-queue jobs whose worker died, then "
        "send every due pending job (in eager mode: run it now). Beat does this in production."
    )

    def handle(self, *args, **options):
        result = jobs_sweep_stale()
        self.stdout.write(
            f"re-queued {result.requeued}, failed {result.failed}, "
            f"lost messages {result.redispatched_lost}, sent {result.sent}"
        )
