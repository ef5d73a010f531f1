from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from assessments import signals

        # Cached competence names (course pages, certificates) follow framework edits.
        signals.connect()
        from assessments import privacy  # noqa: F401  (personal data: lms.privacy section)
