from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityTeamsConfig(AppConfig):
    """Community digital technology teams: teams, household register, support visits,
    the offline visit form and its sync API."""

    name = "community_teams"
    label = "community_teams"
    verbose_name = _("Tổ công nghệ số cộng đồng")
    default_auto_field = "django.db.models.BigAutoField"


    def ready(self) -> None:
        from community_teams.services import resident_course_completed
        from courses.completion import on_course_completed

        # A resident enrolled during a visit: their completion updates their status.
        on_course_completed(resident_course_completed)
        from community_teams import privacy  # noqa: F401  (personal data section, retention rule)
