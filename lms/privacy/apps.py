from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "lms.privacy"
    label = "privacy"
    verbose_name = _("Dữ liệu cá nhân")

    def ready(self):
        from . import accounts_section, signals  # noqa: F401  (the account's section; consent at sign-up)
