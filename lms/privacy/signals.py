"""A new account records consent to the privacy notice it was shown at sign-up."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from .models import ConsentRecord
from .services import consent_give


@receiver(user_signed_up, dispatch_uid="privacy_consent_at_signup")
def _consent_at_signup(sender, request, user, **kwargs):
    consent_give(user=user, purpose=ConsentRecord.Purpose.ACCOUNT, source="signup")
