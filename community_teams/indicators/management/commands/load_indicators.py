from django.core.management.base import BaseCommand

from community_teams.indicators.services import indicators_load, national_targets_load


class Command(BaseCommand):
    help = "Load indicator definitions and national targets from the app's data files (idempotent)."

    def handle(self, *args, **options):
        d = indicators_load()
        t = national_targets_load()
        self.stdout.write(f"Indicators: {d['created']} created, {d['updated']} updated")
        self.stdout.write(
            f"National targets: {t['created']} created, {t['updated']} updated, {t['rejected']} rejected"
        )
