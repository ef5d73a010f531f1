"""Load the demo data: site tree, units, villages, agencies and one user per role.

Idempotent (get-or-create by natural keys, through the same services production uses);
refuses to run with production settings. Later issues extend this same command.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments.demo import demo_evidence_create, demo_frameworks_load, demo_selfassessment_load
from community_teams.demo import demo_teams_create
from community_teams.indicators.demo import demo_indicators_build
from content.demo import demo_site_build
from courses.compliance.demo import demo_compliance_rebuild
from courses.demo import demo_course_quizzes_attach, demo_courses_create
from courses.training.demo import demo_training_create
from lms.accounts.demo import DEMO_PASSWORD, demo_users_create
from lms.organisations.demo import demo_agencies_create
from lms.places.demo import demo_villages_create
from lms.places.models import AdministrativeUnit


class Command(BaseCommand):
    help = "Load the demo site, villages, agencies and one demo user per role (idempotent)."

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("Demo data is refused with these settings (production?).")
        if not AdministrativeUnit.objects.current().filter(level="province").exists():
            self.stdout.write("No administrative units yet: loading them first.")
            call_command("load_units", stdout=self.stdout)
        with transaction.atomic():
            site = demo_site_build()
            frameworks = demo_frameworks_load()
            courses = demo_courses_create()
            quizzes = demo_course_quizzes_attach()
            villages = demo_villages_create()
            agencies = demo_agencies_create()
            users = demo_users_create(villages=villages, agencies=agencies)
            demo_selfassessment_load()
            evidence = demo_evidence_create()
            training = demo_training_create()
            # After the training step: the compliance rollups are rebuilt from its rows.
            rollup_rows = demo_compliance_rebuild()
            teams = demo_teams_create(villages=villages)
            indicators = demo_indicators_build(villages=villages)
        self.stdout.write(self.style.SUCCESS(f"Site pages: {site}"))
        self.stdout.write(f"Courses: {courses}")
        self.stdout.write(f"Quizzes: {quizzes}")
        self.stdout.write(f"Villages: {len(villages)}, agencies: {len(agencies)}")
        self.stdout.write(f"Competence evidence records created: {evidence}")
        self.stdout.write(f"Mandatory training: {training}")
        self.stdout.write(f"Compliance rollup rows rebuilt: {rollup_rows}")
        self.stdout.write(f"Community teams (created now): {teams}")
        self.stdout.write(f"Indicators (targets, flags, rollups of the demo villages): {indicators}")
        self.stdout.write(
            "Competence frameworks: "
            f"{sum(frameworks.created.values())} created, {sum(frameworks.unchanged.values())} unchanged"
        )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        width = max(len(u["role"]) for u in users)
        for u in users:
            login = u["email"] + (f" / {u['phone']}" if u["phone"] else "")
            self.stdout.write(f"  {u['role']:<{width}}  {login}  {u['scope']}")
            if u.get("totp_secret"):
                self.stdout.write(f"  {'':<{width}}  2FA (TOTP) secret: {u['totp_secret']}")
        self.stdout.write(
            "Officers, managers, editors and the administrator log in with a second factor: add "
            "their secret to an authenticator app, or print current codes with "
            "`manage.py demo_totp_codes` (demo data only; see README)."
        )
