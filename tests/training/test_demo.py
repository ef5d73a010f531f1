"""The demo step: a provincial tree, positions with targets, 200 staff with varied
progress, a live plan due next month, the demo civil servant's assignments; idempotent."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from courses.training.models import Employment, PlanAssignment, Position, PositionTarget, TrainingPlan

pytestmark = pytest.mark.django_db


def test_demo_training_is_varied_and_idempotent(settings, client):
    settings.DEMO_DATA_ALLOWED = True
    call_command("load_demo_data", stdout=io.StringIO())
    today = timezone.localdate()
    assert (
        Employment.objects.filter(user__username__startswith="demo-cb-").values("user").distinct().count()
        == 200
    )
    assert Position.objects.count() == 4 and PositionTarget.objects.count() == 4
    live = TrainingPlan.objects.get(deadline__gt=today)
    assert 28 <= (live.deadline - today).days <= 31 and live.recurs_yearly
    past = TrainingPlan.objects.get(deadline__lt=today)
    statuses = set(PlanAssignment.objects.filter(plan=past).values_list("status", flat=True))
    assert statuses == {"completed", "not_started", "exempt"} or statuses >= {"completed", "exempt"}
    rows = PlanAssignment.objects.filter(plan=past, status="completed")
    on_time = sum(1 for r in rows if r.completed_at < r.due_before)
    assert 0 < on_time < rows.count()  # some on time, some late
    assert PlanAssignment.objects.filter(plan=past, extended_to__isnull=False).count() == 3
    mover = Employment.objects.filter(user__username__startswith="demo-cb-", valid_to__isnull=False).get()
    assert mover.valid_to.month == 6
    civil = PlanAssignment.objects.filter(user__username="demo-congchuc")
    assert civil.count() == 2
    counts = (Employment.objects.count(), PlanAssignment.objects.count(), TrainingPlan.objects.count())
    call_command("load_demo_data", stdout=io.StringIO())
    assert (
        Employment.objects.count(),
        PlanAssignment.objects.count(),
        TrainingPlan.objects.count(),
    ) == counts
    client.force_login(civil.first().user)
    html = client.get("/boi-duong/cua-toi/").content.decode()
    assert live.name in html
