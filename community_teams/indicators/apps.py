from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """Indicators of the community teams (DHIS2-style): definitions as data, targets,
    rollups per unit × indicator × period, data quality, dashboards."""

    name = "community_teams.indicators"
    label = "indicators"
    verbose_name = _("Chỉ số chuyển đổi số cộng đồng")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from community_teams.hooks import on_visits_received

        from .services import rollups_refresh_enqueue

        @on_visits_received
        def refresh_after_sync(*, village_ids: list[int]) -> None:
            # One refresh pending at a time (dedupe key): it recomputes every village
            # touched since its watermark, these included. The beat entry stays as the
            # safety net for writes that do not come through the sync.
            rollups_refresh_enqueue()
