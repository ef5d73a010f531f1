from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Mandatory yearly digital-skills training of the civil service: staff, positions and
    their target profiles, training plans by agency, compliance."""

    name = "courses.training"
    label = "training"
    verbose_name = _("Bồi dưỡng bắt buộc")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from assessments.models import Evidence
        from courses.completion import on_course_completed
        from courses.training.services import assignments_refresh_on_completion
        from courses.training.tasks import evidence_saved

        on_course_completed(assignments_refresh_on_completion)
        from courses.training import privacy  # noqa: F401  (personal data: lms.privacy section)
        # New competence evidence can meet a plan's required level: refresh that person's
        # assignments in a job (the receiver only enqueues; the rule lives in services).
        post_save.connect(evidence_saved, sender=Evidence, dispatch_uid="training.evidence_saved")
        # An invited person who set a password from the e-mailed link has shown they read
        # that mailbox: their address counts as verified (invitations.invitation_accepted).
        from allauth.account.signals import password_reset

        from courses.training.invitations import password_reset_done

        password_reset.connect(password_reset_done, dispatch_uid="training.invitation_accepted")
