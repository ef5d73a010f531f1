"""Outbox jobs that keep the compliance rollups up to date (lms.jobs registry)."""

from lms.jobs.registry import job_handler

from . import services


@job_handler(services.REFRESH_JOB, lease_seconds=900)
def rollups_refresh() -> None:
    """Recompute the agencies marked dirty since the last run (enqueued by the
    assignment hook; beat also runs it every 5 minutes as a safety net)."""
    services.rollups_refresh_dirty()


@job_handler(services.REBUILD_JOB, atomic=False, lease_seconds=3 * 3600, max_attempts=3)
def rollups_rebuild() -> None:
    """Nightly: rebuild every year's rollups from scratch (one transaction per year)."""
    services.rollups_rebuild()
