from django.core.management.base import BaseCommand

from lms.jobs.selectors import job_counts_by_state, oldest_due_pending_age


class Command(BaseCommand):
    help = "Print how many outbox jobs are in each state."

    def handle(self, *args, **options):
        counts = job_counts_by_state()
        width = max(len(s) for s in counts)
        for state, n in counts.items():
            self.stdout.write(f"{state.ljust(width)}  {n}")
        age = oldest_due_pending_age()
        if age is not None:
            self.stdout.write(f"oldest due pending job waited {int(age.total_seconds())} s")
