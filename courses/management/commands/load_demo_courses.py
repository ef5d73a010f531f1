from django.core.management.base import BaseCommand

from courses.demo import demo_courses_create


class Command(BaseCommand):
    help = "Build the demo courses from courses/demo_content/*.json (missing ones only)."

    def handle(self, *args, **options):
        counts = demo_courses_create()
        self.stdout.write(
            f"Catalogue {'created' if counts['index_created'] else 'existing'}; "
            f"courses created: {counts['courses_created']} ({counts['lessons_created']} lessons), "
            f"already there: {counts['courses_existing']}."
        )
