from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """Indicators of the community teams (DHIS2-style): definitions as data, targets,
    rollups per unit × indicator × period, data quality, dashboards."""

    name = "community_teams.indicators"
    label = "indicators"
    verbose_name = _("Chỉ số chuyển đổi số cộng đồng")
    default_auto_field = "django.db.models.BigAutoField"
