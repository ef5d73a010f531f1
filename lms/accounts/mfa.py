"""Two-factor authentication (allauth.mfa: TOTP and recovery codes) and who must use it.

Rule: anyone who holds, today, a role that reaches other people's data or the site's
content — commune, province and national officers, training managers, content editors,
platform administrators — and every Django staff member or superuser must have an
authenticator app. Until they have one, `MfaRequiredMiddleware` sends them to set it up
before any other page; once they have one, allauth asks for a code at every login, and
they cannot switch it off. Learners, civil servants and team members are never asked
(they may still turn it on themselves).

settings.LMS_MFA_REQUIRED turns the rule on; production forces it on, only the test
settings turn it off (tests that need it turn it back on).
"""

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Role
from .selectors import roles_active_for

MFA_ROLES = frozenset(
    {
        Role.COMMUNE_OFFICER,
        Role.PROVINCE_OFFICER,
        Role.NATIONAL_OFFICER,
        Role.TRAINING_MANAGER,
        Role.CONTENT_EDITOR,
        Role.PLATFORM_ADMIN,
    }
)


def mfa_required_for(user, *, enforced: bool = False) -> bool:
    """Must `user` use two-factor authentication? At most one query. `enforced`: answer
    by role even where the settings turn the requirement off (the demo data)."""
    if not enforced and not getattr(settings, "LMS_MFA_REQUIRED", True):
        return False
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return roles_active_for(user=user).filter(role__in=MFA_ROLES).exists()


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


class MfaAdapter(DefaultMFAAdapter):
    # allauth.mfa ships no Vietnamese: every message a person can meet, restated.
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "add_email_blocked": _(
            "Không thể thêm địa chỉ e-mail chưa xác minh khi tài khoản đang bật xác thực hai lớp."
        ),
        "cannot_delete_authenticator": _(
            "Vai trò của bạn bắt buộc xác thực hai lớp: không thể tắt ứng dụng xác thực."
        ),
        "cannot_generate_recovery_codes": _(
            "Hãy bật ứng dụng xác thực trước khi tạo mã khôi phục."
        ),
        "incorrect_code": _("Mã xác thực không đúng."),
        "unverified_email": _(
            "Hãy xác minh địa chỉ e-mail của bạn trước khi bật xác thực hai lớp."
        ),
    }

    def get_totp_label(self, user) -> str:
        return user.email or user.phone or user.username

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and mfa_required_for(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)

