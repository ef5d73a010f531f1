"""Demo step: definitions and national targets, two local targets (one below the
national target, so its warning shows), quality flags and the rollups of the demo
villages. Idempotent: loaders update in place, targets are set by (unit, code, year),
rollups are recomputed."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from community_teams.models import SupportVisit
from lms.accounts.models import User

from .services import (
    indicators_load,
    national_targets_load,
    quality_flags_detect,
    rollups_refresh_villages,
    target_set,
)


def demo_indicators_build(*, villages) -> dict:
    definitions = indicators_load()
    targets = national_targets_load()
    year = timezone.localdate().year
    local = 0
    for username, unit, code, percent in (
        ("demo-canbotinh", villages[0].parent.parent, "smartphone", 90),
        ("demo-canboxa", villages[0].parent, "digital_identity", 60),
    ):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        try:
            target_set(by=user, unit=unit, target_code=code, year=year, percent=percent)
            local += 1
        except PermissionDenied:
            continue
    flags = quality_flags_detect(
        visit_ids=list(SupportVisit.objects.filter(village__in=villages).values_list("pk", flat=True))
    )
    rollups_refresh_villages(village_ids=[v.pk for v in villages])
    return {
        "indicators": definitions["created"] + definitions["updated"],
        "national_targets": targets["created"] + targets["updated"],
        "local_targets": local,
        "flags_created": flags,
    }
