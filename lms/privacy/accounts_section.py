"""The account's own section: the person, their roles, consents, e-mail addresses, API
tokens and erasure requests. Registered by lms.privacy itself (lms.accounts is below it)."""

from django.utils.translation import gettext_lazy as _

from lms.accounts.models import RoleAssignment

from .registry import section


def _iso(value):
    return value.isoformat() if value else None


def account_export(user) -> dict:
    from allauth.account.models import EmailAddress
    from wagtail.models import APIToken

    from .models import ConsentRecord, ErasureRequest

    return {
        "account": {
            "id": user.pk,
            "full_name": user.full_name,
            "email": user.email,
            "phone": user.phone,
            "phone_verified": user.phone_verified,
            "preferred_language": user.preferred_language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "is_active": user.is_active,
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "roles": [
            {
                "role": a.role,
                "role_label": str(a.get_role_display()),
                "unit": a.unit.name if a.unit_id else None,
                "agency": a.agency.name if a.agency_id else None,
                "valid_from": _iso(a.valid_from),
                "valid_to": _iso(a.valid_to),
            }
            for a in RoleAssignment.objects.filter(user=user).select_related("unit", "agency").order_by("pk")
        ],
        "api_tokens": [
            {"name": t.name, "created": _iso(t.created), "revoked_at": _iso(getattr(t, "revoked_at", None))}
            for t in APIToken.objects.filter(user=user).order_by("pk")
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "notice_version": c.notice_version,
                "given_at": _iso(c.given_at),
                "withdrawn_at": _iso(c.withdrawn_at),
            }
            for c in ConsentRecord.objects.filter(user=user).order_by("pk")
        ],
        "erasure_requests": [
            {"requested_at": _iso(r.requested_at), "status": r.status}
            for r in ErasureRequest.objects.filter(user=user).order_by("pk")
        ],
    }


def account_erase(user) -> int:
    """Sign-in identities go (e-mail addresses, tokens, social accounts); roles are ended
    today and kept (who held which role is part of the official record, by id only)."""
    from allauth.account.models import EmailAddress
    from django.utils import timezone
    from wagtail.models import APIToken

    touched = EmailAddress.objects.filter(user=user).delete()[0]
    touched += APIToken.objects.filter(user=user).delete()[0]
    from django.apps import apps

    if apps.is_installed("allauth.socialaccount"):
        from allauth.socialaccount.models import SocialAccount

        touched += SocialAccount.objects.filter(user=user).delete()[0]
    today = timezone.localdate()
    current = RoleAssignment.objects.filter(user=user, valid_from__lte=today)
    touched += current.filter(valid_to__isnull=True).update(valid_to=today)
    touched += current.filter(valid_to__gt=today).update(valid_to=today)
    touched += RoleAssignment.objects.filter(user=user, valid_from__gt=today).delete()[0]
    return touched


section("account", _("Tài khoản"), export=account_export, erase=account_erase)
