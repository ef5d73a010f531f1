from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Certificates for completed courses: PDF, public verification, Open Badges 3.0."""

    name = "courses.certificates"
    label = "certificates"
    verbose_name = _("Chứng nhận")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from courses.certificates.services import certificate_issue_on_completion
        from courses.completion import on_course_completed

        on_course_completed(certificate_issue_on_completion)
