"""Events the log records by itself: sign-ins and sign-outs, failed sign-ins, changes
to role assignments (whoever makes them: our services, the Django admin, a script) and
two-factor authentication changes."""

from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from lms.accounts.models import RoleAssignment

from .models import AuditAction
from .services import record


@receiver(auth_signals.user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs) -> None:
    record(actor=user, action=AuditAction.LOGIN, target=user, request=request)


@receiver(auth_signals.user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(actor=user, action=AuditAction.LOGOUT, target=user, request=request)


def _user_for_login(credentials: dict):
    from lms.accounts.models import User
    from lms.accounts.phone import user_with_phone

    if credentials.get("phone"):
        return user_with_phone(phone=credentials["phone"])
    email = credentials.get("email")
    if email:
        from allauth.account.models import EmailAddress

        address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
        return address.user if address else User.objects.filter(email__iexact=email).first()
    username = credentials.get("username")
    return User.objects.filter(username=username).first() if username else None


@receiver(auth_signals.user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The login typed is not kept (it may be a password typed in the wrong box); the
    # account it names is, when there is one.
    method = next((k for k in ("phone", "email", "username") if credentials.get(k)), "")
    record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        target=_user_for_login(credentials),
        request=request,
        detail={"method": method},
    )


# --- Role assignments ------------------------------------------------------------------


@receiver(pre_save, sender=RoleAssignment, dispatch_uid="audit_role_pre_save")
def _role_before(sender, instance: RoleAssignment, **kwargs) -> None:
    if instance.pk:
        instance._audit_before = (
            RoleAssignment.objects.filter(pk=instance.pk)
            .values("role", "unit_id", "agency_id", "valid_from", "valid_to")
            .first()
        )


def _role_detail(a: RoleAssignment) -> dict:
    return {
        "user_id": a.user_id,
        "role": a.role,
        "unit_id": a.unit_id,
        "agency_id": a.agency_id,
        "valid_from": a.valid_from.isoformat() if a.valid_from else None,
        "valid_to": a.valid_to.isoformat() if a.valid_to else None,
    }


@receiver(post_save, sender=RoleAssignment, dispatch_uid="audit_role_saved")
def _role_saved(sender, instance: RoleAssignment, created: bool, **kwargs) -> None:
    from .context import current_request

    request = current_request.get()
    by_request = request is not None and getattr(request.user, "is_authenticated", False)
    actor = request.user if by_request else (instance.granted_by if created else None)
    before = getattr(instance, "_audit_before", None)
    if created:
        action = AuditAction.ROLE_ASSIGNED
    elif before and before["valid_to"] != instance.valid_to and instance.valid_to is not None and (
        before["role"], before["unit_id"], before["agency_id"]
    ) == (instance.role, instance.unit_id, instance.agency_id):
        action = AuditAction.ROLE_ENDED
    else:
        action = AuditAction.ROLE_CHANGED
    detail = _role_detail(instance)
    if before:
        detail["before"] = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in before.items()}
    record(actor=actor, action=action, target=instance, request=request, detail=detail)


@receiver(post_delete, sender=RoleAssignment, dispatch_uid="audit_role_deleted")
def _role_deleted(sender, instance: RoleAssignment, **kwargs) -> None:
    record(action=AuditAction.ROLE_DELETED, target=instance, detail=_role_detail(instance))


# --- Two-factor authentication ---------------------------------------------------------


def _mfa(action, request, user, authenticator) -> None:
    by = getattr(request, "user", None)
    record(
        actor=by if getattr(by, "is_authenticated", False) else user,
        action=action,
        target=user,
        request=request,
        detail={"type": authenticator.type},
    )


@receiver(mfa_signals.authenticator_added, dispatch_uid="audit_mfa_added")
def _mfa_added(sender, request, user, authenticator, **kwargs) -> None:
    _mfa(AuditAction.MFA_ADDED, request, user, authenticator)


@receiver(mfa_signals.authenticator_removed, dispatch_uid="audit_mfa_removed")
def _mfa_removed(sender, request, user, authenticator, **kwargs) -> None:
    _mfa(AuditAction.MFA_REMOVED, request, user, authenticator)


@receiver(mfa_signals.authenticator_reset, dispatch_uid="audit_mfa_reset")
def _mfa_reset(sender, request, user, authenticator, **kwargs) -> None:
    _mfa(AuditAction.MFA_RESET, request, user, authenticator)


@receiver(mfa_signals.authentication_failed, dispatch_uid="audit_mfa_failed")
def _mfa_failed(sender, request, user, authenticator, **kwargs) -> None:
    record(actor=None, action=AuditAction.MFA_FAILED, target=user, request=request,
           detail={"type": getattr(authenticator, "type", "")})
