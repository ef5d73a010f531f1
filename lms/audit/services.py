"""Writing to the audit log. The only writer: `record`."""

import logging

from django.conf import settings
from django.db import models
from django.utils import translation

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
