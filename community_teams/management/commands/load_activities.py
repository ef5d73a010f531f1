from django.core.management.base import BaseCommand

from community_teams.catalogue import activity_catalogue_sync
from community_teams.models import Activity


class Command(BaseCommand):
    help = "Load the support-visit activity catalogue from community_teams/data/activities.json."

    def handle(self, *args, **options):
        counts = activity_catalogue_sync(model=Activity)
        self.stdout.write(f"Activities: {counts}")
