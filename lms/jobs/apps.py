from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "lms.jobs"
    label = "jobs"
    verbose_name = _("Tác vụ nền")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every app's tasks.py registers its job handlers (lms.jobs.registry); import
        # them all now so web processes and workers see the same registry.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
