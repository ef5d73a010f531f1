"""Retention of the audit log: events older than AUDIT_RETENTION_DAYS are deleted by the
nightly job, in batches, and the deletion is itself recorded. On PostgreSQL the trigger
lets only that job's DELETE through, and never for a row younger than 365 days."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from lms.audit.models import AuditAction, AuditEvent
from lms.audit.services import RETENTION_MIN_DAYS, retention_apply
from lms.jobs.models import OutboxJob
from lms.jobs.services import job_enqueue, job_run

pytestmark = pytest.mark.django_db

NOW = timezone.now()
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


def event_at(days_ago: float, purpose: str) -> AuditEvent:
    return AuditEvent.objects.create(
        at=NOW - datetime.timedelta(days=days_ago), action=AuditAction.PERSONAL_DATA_VIEW, purpose=purpose
    )


def purposes() -> set[str]:
    kept = AuditEvent.objects.exclude(action=AuditAction.AUDIT_RETENTION)
    return set(kept.values_list("purpose", flat=True))


def test_events_past_the_period_are_deleted_in_batches_and_the_deletion_is_recorded(settings):
    settings.AUDIT_RETENTION_DAYS = 5 * 365
    for n in range(3):
        event_at(6 * 365 + n, f"old-{n}")
    event_at(5 * 365 + 1, "just-past")
    event_at(5 * 365 - 1, "just-within")
    event_at(0, "today")

    assert retention_apply(now=NOW, batch_size=2) == 4  # three batches: 2, 2, 0
    assert purposes() == {"just-within", "today"}
    record = AuditEvent.objects.get(action=AuditAction.AUDIT_RETENTION)
    assert record.actor_id is None and record.purpose.startswith("Áp dụng thời hạn lưu giữ")
    assert record.detail == {
        "deleted": 4, "days": 5 * 365,
        "before": (NOW - datetime.timedelta(days=5 * 365)).isoformat(),
    }
    # Again: nothing left to delete, nothing recorded.
    assert retention_apply(now=NOW) == 0
    assert AuditEvent.objects.filter(action=AuditAction.AUDIT_RETENTION).count() == 1


def test_zero_keeps_everything_and_a_period_under_a_year_is_refused(settings):
    event_at(20 * 365, "ancient")
    settings.AUDIT_RETENTION_DAYS = 0
    assert retention_apply(now=NOW) == 0
    with pytest.raises(ImproperlyConfigured):
        retention_apply(now=NOW, days=RETENTION_MIN_DAYS - 1)
    assert purposes() == {"ancient"}


def test_the_nightly_job_applies_it(settings):
    settings.AUDIT_RETENTION_DAYS = 2 * 365
    event_at(3 * 365, "old")
    event_at(1, "recent")
    job = job_enqueue(task="audit.retention_apply", kwargs={})
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == OutboxJob.State.DONE, job.last_error
    assert purposes() == {"recent"}


@postgres_only
def test_the_trigger_lets_only_the_retention_job_delete_and_only_old_rows():
    old = event_at(2 * 365 + 1, "old")
    recent = event_at(RETENTION_MIN_DAYS - 1, "recent")
    delete = "DELETE FROM audit_auditevent WHERE id = %s"
    # Without the job's flag: refused, however old the row.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(delete, [old.pk])
    # With the flag: a row younger than the floor is still refused (a retention setting
    # cannot be lowered to erase the recent log).
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lms.audit_retention', 'on', true)")
        cursor.execute(delete, [recent.pk])
    # UPDATE stays refused with the flag.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lms.audit_retention', 'on', true)")
        cursor.execute("UPDATE audit_auditevent SET purpose = 'x' WHERE id = %s", [old.pk])
    # The job, called inside this test's transaction, turns its flag off when done: a
    # plain DELETE afterwards, in the same transaction, is refused again.
    older = event_at(3 * 365, "older")
    assert retention_apply(now=NOW, days=730) == 2
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(delete, [recent.pk])
    assert not AuditEvent.objects.filter(pk__in=[old.pk, older.pk]).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()


def test_the_setting_is_checked_at_start(settings):
    from lms.audit.checks import retention_setting_check

    settings.AUDIT_RETENTION_DAYS = 30
    assert [e.id for e in retention_setting_check(None)] == ["audit.E001"]
    for ok in (0, RETENTION_MIN_DAYS, 5 * 365):
        settings.AUDIT_RETENTION_DAYS = ok
        assert retention_setting_check(None) == []




def test_the_log_page_states_the_period(client, settings):
    from django.urls import reverse

    from lms.accounts.models import Role
    from lms.accounts.services import role_assign
    from tests.factories import UserFactory

    admin = UserFactory()
    role_assign(user=admin, role=Role.PLATFORM_ADMIN)
    client.force_login(admin)
    settings.AUDIT_RETENTION_DAYS = 1825
    assert "Mỗi sự kiện được giữ 1825 ngày" in client.get(reverse("audit:list")).content.decode()
    settings.AUDIT_RETENTION_DAYS = 0
    assert "giữ vô thời hạn" in client.get(reverse("audit:list")).content.decode()
