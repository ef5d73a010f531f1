"""Login stages that differ from allauth's defaults."""

from allauth.account import stages
from allauth.account.app_settings import EmailVerificationMethod


class EmailVerificationStage(stages.EmailVerificationStage):
    """E-mail verification: mandatory unless the person has a verified phone number.

    allauth's ACCOUNT_EMAIL_VERIFICATION = "mandatory" would lock out everyone who
    signed up with a phone number only (they have no address to verify), and its
    checks forbid it unless e-mail is a required sign-up field. So the setting stays
    "optional" (a confirmation mail is still sent at sign-up) and this stage makes it
    mandatory, per login, for a person whose only contact is an unconfirmed e-mail.
    """

    def handle(self):
        user = self.login.user
        if (
            user is not None
            and self.login.email_verification == EmailVerificationMethod.OPTIONAL
            and not (user.phone and user.phone_verified)
            and user.email
        ):
            self.login.email_verification = EmailVerificationMethod.MANDATORY
        return super().handle()
