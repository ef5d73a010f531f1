from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    """Compliance view of mandatory training: pre-aggregated figures per agency, the
    dashboard, official exports (XLSX, PDF), DTI evidence and the API."""

    name = "courses.compliance"
    label = "compliance"
    verbose_name = _("Tuân thủ bồi dưỡng bắt buộc")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from courses.training.hooks import on_assignment_changed

        from .services import rollups_mark_dirty_for_assignments

        on_assignment_changed(rollups_mark_dirty_for_assignments)
