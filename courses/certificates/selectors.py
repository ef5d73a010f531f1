"""Reads for certificates: lookups, the owner's list, who may manage, public URLs."""

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from courses.certificates.codes import code_normalise
from courses.certificates.models import Certificate
from lms.accounts.models import Role
from lms.accounts.selectors import user_has_role


def certificate_by_code(*, code: str) -> Certificate | None:
    """The certificate with this code as a person typed it (any case, dashes, O for 0)."""
    normalised = code_normalise(code)
    if normalised is None:
        return None
    return Certificate.objects.filter(code=normalised).select_related("replaced_by").first()


def certificates_of_learner(*, learner) -> QuerySet[Certificate]:
    """The learner's certificates, newest first (revoked ones too, marked as such)."""
    if not getattr(learner, "is_authenticated", False):
        return Certificate.objects.none()
    return Certificate.objects.filter(learner=learner).order_by("-issued_at", "-id")


def certificate_can_manage(*, user) -> bool:
    """Staff who may revoke and re-issue: the Django permission
    certificates.change_certificate (superusers have it) or the platform administrator
    role in force today."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.has_perm("certificates.change_certificate") or user_has_role(
        user=user, role=Role.PLATFORM_ADMIN)


def public_base_url() -> str:
    """The site's public address, without a trailing slash: CERTIFICATE_BASE_URL when
    set, else WAGTAILADMIN_BASE_URL, else the default Wagtail site's root URL. Printed
    in QR codes and signed into badges, so it must be stable."""
    base = getattr(settings, "CERTIFICATE_BASE_URL", "") or getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    if not base:
        from wagtail.models import Site

        site = Site.objects.filter(is_default_site=True).first()
        base = site.root_url if site else "http://localhost"
    return base.rstrip("/")


def verification_url(*, code: str) -> str:
    return public_base_url() + reverse("certificates:verify", args=[code])


def badge_url(*, code: str) -> str:
    return public_base_url() + reverse("certificates:badge", args=[code])


def issuer_url() -> str:
    return public_base_url() + reverse("certificates:issuer")
