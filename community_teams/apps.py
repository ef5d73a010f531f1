from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityTeamsConfig(AppConfig):
    """Community digital technology teams: teams, household register, support visits,
    the offline visit form and its sync API."""

    name = "community_teams"
    label = "community_teams"
    verbose_name = _("Tổ công nghệ số cộng đồng")
    default_auto_field = "django.db.models.BigAutoField"
