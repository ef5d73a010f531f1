from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "lms.audit"
    label = "audit"
    verbose_name = _("Nhật ký truy cập")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks

        from . import signals  # noqa: F401  (sign-ins, sign-outs, roles, MFA)
        from .checks import retention_setting_check

        checks.register(retention_setting_check)
