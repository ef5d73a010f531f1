"""Print the current two-factor codes of the demo accounts (demo data only).

A reviewer logging in as a demo officer, manager, editor or administrator types the
code printed here after the password. Refused where demo data is (production).
"""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lms.accounts.demo import DEMO_DOMAIN, DEMO_PEOPLE, demo_totp_secret
from lms.accounts.models import User
from lms.accounts.totp import totp_code


class Command(BaseCommand):
    help = "Print the current TOTP code of each demo account that has one (demo data only)."

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("Demo data is refused in this environment (DEMO_DATA_ALLOWED is off).")
        printed = 0
        for _role, username, _name, _phone in DEMO_PEOPLE:
            user = User.objects.filter(username=f"demo-{username}").first()
            if user is None or not Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists():
                continue
            code = totp_code(demo_totp_secret(username))
            self.stdout.write(f"{username}@{DEMO_DOMAIN}  {code}")
            printed += 1
        if not printed:
            self.stdout.write("No demo account with two-factor authentication: run load_demo_data first.")
