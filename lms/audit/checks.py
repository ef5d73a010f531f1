"""System check: AUDIT_RETENTION_DAYS is 0 (keep everything) or at least a year."""

from django.conf import settings
from django.core import checks


def retention_setting_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    from .services import RETENTION_MIN_DAYS

    days = getattr(settings, "AUDIT_RETENTION_DAYS", 0)
    if days and days < RETENTION_MIN_DAYS:
        return [
            checks.Error(
                f"AUDIT_RETENTION_DAYS is {days}: use 0 (keep everything) or at least {RETENTION_MIN_DAYS}.",
                hint="The database refuses to delete audit events younger than a year.",
                id="audit.E001",
            )
        ]
    return []
