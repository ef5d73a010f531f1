"""Reads of the audit log."""

import datetime

from django.db.models import QuerySet

from lms.accounts.models import Role, User
from lms.accounts.selectors import roles_active_for

from .models import AuditEvent


def user_can_read_audit(*, user) -> bool:
    """Platform administrators (role in force today) and superusers. At most one query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return roles_active_for(user=user).filter(role=Role.PLATFORM_ADMIN).exists()



def events_filtered(
    *,
    action: str = "",
    actor_id: int | None = None,
    target_type: str = "",
    target_id: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events, newest first, narrowed by whichever filters are given (dates inclusive,
    Vietnam time)."""
    events = AuditEvent.objects.all()
    if action:
        events = events.filter(action=action)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if target_type:
        events = events.filter(target_type=target_type)
    if target_id:
        events = events.filter(target_id=target_id)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-at", "-id")


def user_names(ids) -> dict[int, str]:
    """{user id: how the person is named today} for the ids given (one query)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {
        u.pk: u.display_name
        for u in User.objects.filter(pk__in=ids).only("pk", "full_name", "email", "phone", "username")
    }


def user_matching(text: str) -> User | None:
    """The account named by an id, an e-mail address or a phone number."""
    from lms.accounts.phone import user_with_phone

    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit() and len(text) < 9:
        return User.objects.filter(pk=int(text)).first()
    if "@" in text:
        return User.objects.filter(email__iexact=text).first()
    return user_with_phone(phone=text)
