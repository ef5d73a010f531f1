"""Invitations to set a password for accounts created by a staff import.

One StaffInvitation per account (one-to-one), created in the import's transaction with
an outbox job; the job claims the row (sent_at set by a conditional UPDATE) before the
message goes out, so a re-run never sends twice. E-mail: allauth's password-reset link
(the same token allauth's own reset uses). Phone only: an SMS pointing to the reset by
SMS code (lms.accounts), since a link cannot carry a code we have not sent yet.
"""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms.accounts.models import User
from lms.accounts.sms import send_sms
from lms.jobs.registry import job_handler
from lms.jobs.services import job_enqueue

from .models import StaffInvitation

INVITATION_JOB = "training.send_invitation"


def invitation_create(*, user: User, by=None) -> StaffInvitation | None:
    """Invite `user` to set a password, once. Returns the new invitation, or None when
    they were already invited or can log in already (usable password)."""
    if user.has_usable_password() or StaffInvitation.objects.filter(user=user).exists():
        return None
    invitation = StaffInvitation.objects.create(user=user, invited_by=by)
    job_enqueue(
        task=INVITATION_JOB,
        kwargs={"invitation_id": invitation.pk},
        dedupe_key=f"{INVITATION_JOB}:{invitation.pk}",
    )
    return invitation


def _base() -> str:
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")


@job_handler(INVITATION_JOB)
def invitation_send(*, invitation_id: int) -> bool:
    """Send one invitation; True when sent now, False when already sent or gone."""
    claimed = StaffInvitation.objects.filter(pk=invitation_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return False
    invitation = StaffInvitation.objects.select_related("user").get(pk=invitation_id)
    user = invitation.user
    with translation.override(user.preferred_language or "vi"):
        name = user.full_name or _("bạn")
        if user.email:
            key = default_token_generator.make_token(user)
            link = _base() + reverse(
                "account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key}
            )
            body = _(
                "Chào %(name)s,\n\nCơ quan của bạn đã tạo tài khoản trên Nền tảng Kỹ năng số để theo dõi "
                "việc bồi dưỡng bắt buộc hằng năm. Hãy đặt mật khẩu tại:\n%(link)s\n\n"
                "Sau đó đăng nhập bằng email này để xem các nội dung bạn cần hoàn thành.\n"
            ) % {"name": name, "link": link}
            send_mail(_("Mời bạn đặt mật khẩu: bồi dưỡng kỹ năng số"), body, None, [user.email])
        elif user.phone:
            link = _base() + reverse("accounts:phone_password_reset")
            send_sms(
                to=user.phone,
                body=_(
                    "Cơ quan của bạn đã tạo tài khoản Kỹ năng số cho bạn. Đặt mật khẩu tại %(link)s "
                    "bằng số điện thoại này."
                )
                % {"link": link},
            )
    return True


def invitation_accepted(*, user: User) -> bool:
    """An invited person set their password through the e-mailed link: that proves they
    read that mailbox, so their address counts as verified (no second e-mail at login).
    Only for people we invited by e-mail; returns whether an address was verified now."""
    from allauth.account.models import EmailAddress

    if not user.email or not StaffInvitation.objects.filter(user=user, sent_at__isnull=False).exists():
        return False
    return bool(
        EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=False).update(verified=True)
    )


def password_reset_done(sender, request, user, **kwargs) -> None:
    """allauth's `password_reset` signal (connected in TrainingConfig.ready)."""
    invitation_accepted(user=user)
