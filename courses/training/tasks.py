"""Outbox job handlers for mandatory training (ids in, one service call each)."""

from lms.jobs.registry import job_handler
from lms.jobs.services import job_enqueue

from .services import assignments_refresh_for_user, plans_recur

REFRESH_USER_JOB = "training.refresh_person"


@job_handler(REFRESH_USER_JOB)
def refresh_person(*, user_id: int) -> None:
    assignments_refresh_for_user(user_id=user_id)


@job_handler("training.plans_recur")
def recur_plans() -> None:
    plans_recur()


def evidence_saved(sender, instance, created, **kwargs) -> None:
    """post_save receiver for assessments.Evidence: enqueue a refresh of that person's
    assignments when they have any with a required competence level."""
    if not created or kwargs.get("raw"):
        return
    from .models import PlanAssignment

    if not PlanAssignment.objects.filter(
        user_id=instance.person_id, plan__competence_levels__isnull=False
    ).exists():
        return
    job_enqueue(
        task=REFRESH_USER_JOB,
        kwargs={"user_id": instance.person_id},
        dedupe_key=f"{REFRESH_USER_JOB}:{instance.person_id}",
    )


# Handlers defined in their own modules register when imported here.
from . import invitations, reminders  # noqa: E402,F401


@job_handler("training.refresh_open_assignments", atomic=False, max_attempts=3, lease_seconds=3 * 3600)
def refresh_open_assignments() -> int:
    """Nightly: recompute every unfinished assignment of this year's plans, in batches
    (catches evidence corrections and anything a hook missed)."""
    from django.utils import timezone

    from .models import PlanAssignment
    from .services import assignments_refresh

    ids = (
        PlanAssignment.objects.filter(
            plan__year__gte=timezone.localdate().year,
            status__in=[PlanAssignment.Status.NOT_STARTED, PlanAssignment.Status.IN_PROGRESS],
        )
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    changed, batch = 0, []
    for pk in ids.iterator(chunk_size=2000):
        batch.append(pk)
        if len(batch) == 2000:
            changed += assignments_refresh(assignment_ids=batch)
            batch = []
    return changed + assignments_refresh(assignment_ids=batch)
