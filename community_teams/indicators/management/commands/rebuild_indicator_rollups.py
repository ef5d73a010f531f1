import time

from django.core.management.base import BaseCommand

from community_teams.indicators.services import rollups_rebuild


class Command(BaseCommand):
    help = "Rebuild every indicator rollup from the raw rows (what the nightly job does)."

    def handle(self, *args, **options):
        started = time.monotonic()
        villages = rollups_rebuild()
        self.stdout.write(f"Rebuilt {villages} villages in {time.monotonic() - started:.1f} s")
