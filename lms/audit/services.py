"""Writing to the audit log. The only writer: `record`; the only deleter:
`retention_apply` (the nightly job audit.retention_apply)."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone, translation

from .context import current_request
from .models import AuditAction, AuditEvent

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The client address as the rate limits see it (ALLAUTH_TRUSTED_PROXY_COUNT)."""
    from allauth.core.internal.httpkit import get_client_ip

    try:
        return get_client_ip(request)
    except Exception:  # a malformed X-Forwarded-For must not lose the row
        return request.META.get("REMOTE_ADDR")


def _target(target) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk)
    kind, pk = target
    return str(kind), "" if pk is None else str(pk)


# Names other apps may use (lms.privacy says "personal_data.export").
ACTION_ALIASES = {
    "personal_data.view": AuditAction.PERSONAL_DATA_VIEW,
    "personal_data.export": AuditAction.PERSONAL_DATA_EXPORT,
}


def _in_vietnamese(text) -> str:
    """Purposes are stored in Vietnamese whatever the reader's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text or "")


def record(
    *,
    actor=None,
    action: str,
    target=None,
    purpose: str = "",
    request=None,
    detail: dict | None = None,
) -> AuditEvent:
    """Append one event. `actor` is a user (or None: anonymous, the system); `target` a
    model instance, a ("app.model", id) pair or None; `purpose` says why (required for
    access to personal data); `request` gives the address and path (the request being
    served when omitted)."""
    action = ACTION_ALIASES.get(action, action)
    AuditAction(action)  # unknown actions are a programming error
    request = request if request is not None else current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if getattr(user, "is_authenticated", False) else None
    target_type, target_id = _target(target)
    return AuditEvent.objects.create(
        actor_id=getattr(actor, "pk", None),
        action=action,
        target_type=target_type,
        target_id=target_id,
        purpose=_in_vietnamese(purpose)[:255],
        path=(request.get_full_path()[:500] if request is not None else ""),
        ip=(client_ip(request) if request is not None else None),
        detail=detail or {},
    )


# --- Retention --------------------------------------------------------------------------

# The trigger (migration 0003) refuses to delete anything younger, whatever the setting.
RETENTION_MIN_DAYS = 365
RETENTION_BATCH = 5000
RETENTION_PURPOSE = "Áp dụng thời hạn lưu giữ nhật ký truy cập"


def retention_apply(
    *, now: datetime.datetime | None = None, days: int | None = None, batch_size: int = RETENTION_BATCH
) -> int:
    """Delete the events older than `days` (default AUDIT_RETENTION_DAYS; 0 keeps
    everything) and record that it did; returns how many were deleted.

    The only code that deletes audit rows. Each batch is its own transaction that sets
    `lms.audit_retention` for that transaction only (the trigger lets a DELETE through
    with it, and only for rows older than RETENTION_MIN_DAYS); a run cut short leaves
    whole batches done and the next run goes on. Idempotent."""
    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    if not days:
        return 0
    if days < RETENTION_MIN_DAYS:
        raise ImproperlyConfigured(
            f"AUDIT_RETENTION_DAYS must be 0 (keep) or at least {RETENTION_MIN_DAYS}, not {days}."
        )
    before = (now or timezone.now()) - datetime.timedelta(days=days)
    table = AuditEvent._meta.db_table
    postgres = connection.vendor == "postgresql"
    deleted = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                cursor.execute("SELECT set_config('lms.audit_retention', 'on', true)")
            try:
                cursor.execute(
                    f"DELETE FROM {table} WHERE id IN "  # noqa: S608 (our table name)
                    f"(SELECT id FROM {table} WHERE at < %s ORDER BY at, id LIMIT %s)",
                    [before, batch_size],
                )
                count = cursor.rowcount
            finally:
                if postgres:  # also when called inside a caller's transaction
                    cursor.execute("SELECT set_config('lms.audit_retention', 'off', true)")
        deleted += count
        if count < batch_size:
            break
    if deleted:
        record(
            action=AuditAction.AUDIT_RETENTION,
            purpose=RETENTION_PURPOSE,
            request=None,
            detail={"deleted": deleted, "before": before.isoformat(), "days": days},
        )
    logger.info("audit retention: %d events before %s deleted", deleted, before.isoformat())
    return deleted
