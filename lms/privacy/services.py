"""Personal data on request (Law 91/2025/QH15): export everything held about a person,
erase (anonymise) a person with every official figure unchanged, consents, retention.

- `personal_data_export(user)`: one JSON-ready dict, a section per app (lms.privacy.registry).
- `user_anonymise(user)`: every section's `erase`, then the account row blanked in place
  (name, e-mail, phone, username; unusable password, inactive), which also ends every
  session (Django checks the password hash on each request). Rows that figures count stay,
  pointing at the anonymised id.
- `erasure_request_create` / `erasure_request_handle`: a person asks; an administrator
  carries it out or refuses it, with a note.
- `consent_give` / `consent_withdraw`: history, never overwritten.
- `retention_apply(now)`: every app's retention rule (nightly job).
"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import Role, RoleAssignment

from .models import ConsentRecord, ErasureRequest
from .registry import retention_rules, sections  # noqa: F401  (sections: used by views)

EXPORT_FORMAT = "kns-personal-data/1"


def personal_data_export(*, user) -> dict:
    data = {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "person_id": user.pk,
        "sections": {},
    }
    for item in sections():
        data["sections"][item.key] = {"label": str(item.label), "data": item.export(user)}
    return data


def user_is_privacy_admin(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(user=user, role=Role.PLATFORM_ADMIN).active_on(
        timezone.localdate()
    ).exists()


@transaction.atomic
def user_anonymise(*, user) -> int:
    """Forget who `user` is; keep what they did. Returns the rows touched. Idempotent."""
    touched = 0
    for item in sections():
        if item.erase is not None:
            touched += item.erase(user) or 0
    if user.anonymised_at is None:
        user.anonymised_at = timezone.now()
    user.full_name = ""
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.phone = None
    user.phone_verified = False
    user.username = f"da-xoa-{uuid.uuid4().hex[:12]}"
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    return touched + 1


def erasure_request_create(*, user, reason: str = "") -> ErasureRequest:
    if user.anonymised_at:
        raise ValidationError(_("Tài khoản này đã được xoá dữ liệu."))
    try:
        with transaction.atomic():
            return ErasureRequest.objects.create(user=user, reason=reason.strip()[:2000])
    except IntegrityError:
        raise ValidationError(_("Bạn đã có một yêu cầu xoá đang chờ xử lý.")) from None


@transaction.atomic
def erasure_request_handle(*, request_id: int, by, approve: bool, note: str = "") -> ErasureRequest:
    if not user_is_privacy_admin(by):
        raise PermissionDenied
    erasure = ErasureRequest.objects.select_for_update().get(pk=request_id)
    if erasure.status != ErasureRequest.Status.PENDING:
        raise ValidationError(_("Yêu cầu này đã được xử lý."))
    if not note.strip():
        raise ValidationError(_("Hãy ghi lý do xử lý (bắt buộc với mọi quyết định)."))
    if approve and erasure.user_id == by.pk:
        raise ValidationError(_("Không thể tự xử lý yêu cầu xoá của chính mình."))
    erasure.handled_by = by
    erasure.handled_at = timezone.now()
    erasure.decision_note = note.strip()[:2000]
    if approve:
        erasure.rows_touched = user_anonymise(user=erasure.user)
        erasure.status = ErasureRequest.Status.DONE
        erasure.reason = ""  # the person's own words may identify them
    else:
        erasure.status = ErasureRequest.Status.REFUSED
    erasure.save()
    return erasure


def consent_give(*, user, purpose: str, source: str = "signup") -> ConsentRecord:
    open_consent = ConsentRecord.objects.filter(user=user, purpose=purpose, withdrawn_at__isnull=True).first()
    if open_consent:
        return open_consent
    return ConsentRecord.objects.create(user=user, purpose=purpose, source=source)


def consent_withdraw(*, user, purpose: str) -> int:
    return ConsentRecord.objects.filter(user=user, purpose=purpose, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )


def retention_apply(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Run every app's retention rule; {rule: rows touched}."""
    now = now or timezone.now()
    return {key: rule(now) for key, rule in retention_rules().items()}
