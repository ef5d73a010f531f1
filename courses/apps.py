from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Khoá học")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from courses import signals

        signals.connect()
