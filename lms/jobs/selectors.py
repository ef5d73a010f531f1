"""Reads on the job outbox."""

import datetime

from django.db.models import Count, Min
from django.utils import timezone

from .models import OutboxJob


def job_counts_by_state() -> dict[str, int]:
    """Number of jobs in each state (every state present, zero included)."""
    counts = dict.fromkeys(OutboxJob.State.values, 0)
    for row in OutboxJob.objects.values("state").annotate(n=Count("id")).order_by():
        counts[row["state"]] = row["n"]
    return counts


def oldest_due_pending_age() -> datetime.timedelta | None:
    """How long the oldest due pending job has waited (a growing value means the
    broker or the dispatcher is down)."""
    now = timezone.now()
    oldest = OutboxJob.objects.filter(state=OutboxJob.State.PENDING, run_after__lte=now).aggregate(
        m=Min("run_after")
    )["m"]
    return now - oldest if oldest else None
