from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Mandatory yearly digital-skills training of the civil service: staff, positions and
    their target profiles, training plans by agency, compliance."""

    name = "courses.training"
    label = "training"
    verbose_name = _("Bồi dưỡng bắt buộc")
    default_auto_field = "django.db.models.BigAutoField"
