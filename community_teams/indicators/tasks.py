"""Outbox jobs that keep the indicator rollups up to date (lms.jobs registry)."""

from lms.jobs.registry import job_handler

from . import services


@job_handler(services.REFRESH_JOB, lease_seconds=900)
def rollups_refresh() -> None:
    """Recompute the villages touched since the watermark (enqueued by each sync through
    community_teams.hooks, and every minute by beat; see docs/indicators.md)."""
    services.rollups_refresh()


@job_handler(services.REBUILD_JOB, atomic=False, lease_seconds=3 * 3600, max_attempts=3)
def rollups_rebuild() -> None:
    """Nightly: rebuild every rollup from the raw rows (one transaction)."""
    services.rollups_rebuild()
