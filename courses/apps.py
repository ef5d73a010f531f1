from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Khoá học")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from assessments.recommendations import register_provider
        from courses import final_test, signals
        from courses.recommendations import courses_for_gaps

        signals.connect()
        from courses import privacy  # noqa: F401  (personal data: lms.privacy section)
        # The final test: a completion rule, and a re-check once a passing attempt is graded.
        final_test.connect()
        # Courses recommended on the competence profile for the person's gaps.
        register_provider(courses_for_gaps)
        # Competence evidence from each new course completion (issue 4).
        from courses import evidence

        evidence.connect()
