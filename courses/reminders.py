"""Inactivity reminders: one message after 7 days without activity on an unfinished
course, with a signed, login-free opt-out link.

The job "courses.send_inactivity_reminders" runs daily (beat, through the outbox). Each
run is a single pass that is safe to repeat: an enrolment is claimed by a conditional
UPDATE of `last_reminded_at` before its message goes out, so two runs (or a re-run after
a crash) never remind anyone twice for the same period of inactivity. The price is that
a message whose sending failed after the claim is not retried: a missed reminder is
better than a duplicate.
"""

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import Enrolment
from courses.selectors import page_url
from lms.accounts.sms import send_sms
from lms.jobs.registry import job_handler

logger = logging.getLogger(__name__)

REMINDER_JOB = "courses.send_inactivity_reminders"
INACTIVITY_DAYS = 7
OPT_OUT_SALT = "courses.reminders.opt-out"
BATCH_SIZE = 500


def opt_out_token(*, enrolment_id: int) -> str:
    """A signed token naming the enrolment; it never expires (old e-mails keep working)."""
    return signing.dumps({"e": enrolment_id}, salt=OPT_OUT_SALT, compress=True)


def opt_out_enrolment_id(*, token: str) -> int:
    """The enrolment id in a token, or ValidationError if it was altered."""
    try:
        data = signing.loads(token, salt=OPT_OUT_SALT)
        return int(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValidationError(_("Đường dẫn huỷ nhận nhắc nhở không hợp lệ."), code="bad_token") from None


def opt_out_url(*, enrolment_id: int) -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    token = opt_out_token(enrolment_id=enrolment_id)
    return base + reverse("courses:reminder_opt_out", kwargs={"token": token})


def enrolment_reminders_opt_out(*, token: str) -> Enrolment:
    """Stop inactivity reminders for the enrolment named by a signed token.

    Rules: the token must be unaltered; the enrolment must exist; repeating it changes
    nothing. No login is needed: the token is the permission, and it can only switch
    reminders off.
    """
    enrolment_id = opt_out_enrolment_id(token=token)
    enrolment = Enrolment.objects.select_related("course").filter(pk=enrolment_id).first()
    if enrolment is None:
        raise ValidationError(_("Không tìm thấy lượt đăng ký học này."), code="missing")
    if not enrolment.reminders_opt_out:
        Enrolment.objects.filter(pk=enrolment.pk).update(reminders_opt_out=True)
        enrolment.reminders_opt_out = True
    return enrolment


def enrolments_due_for_reminder(*, now: datetime.datetime | None = None):
    """Active enrolments in live courses whose last activity (last lesson visit, else
    the enrolment itself) is INACTIVITY_DAYS or more ago, not opted out, not reminded
    since that activity, for active accounts that can be reached (e-mail or phone)."""
    now = now or timezone.now()
    activity = Coalesce("last_visited_at", "enrolled_at")
    return (
        Enrolment.objects.filter(
            status=Enrolment.Status.ACTIVE,
            reminders_opt_out=False,
            course__live=True,
            learner__is_active=True,
        )
        .exclude(Q(learner__email="") & (Q(learner__phone__isnull=True) | Q(learner__phone="")))
        .annotate(activity=activity)
        .filter(activity__lte=now - datetime.timedelta(days=INACTIVITY_DAYS))
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=F("activity")))
    )


def _claim(enrolment: Enrolment, now: datetime.datetime) -> bool:
    """Mark the enrolment reminded unless another run (or new activity) got there first."""
    return bool(
        enrolments_due_for_reminder(now=now).filter(pk=enrolment.pk).update(last_reminded_at=now)
    )


def _message(enrolment: Enrolment, request=None) -> tuple[str, str, str]:
    learner, course = enrolment.learner, enrolment.course
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    last = enrolment.last_lesson
    target = last.url_path if last is not None and last.live else None
    link = page_url(url_path=target or course.url_path)
    if link.startswith("/"):
        link = base + link
    stop = opt_out_url(enrolment_id=enrolment.pk)
    name = learner.full_name or _("bạn")
    subject = _("Tiếp tục khoá học “%(course)s”") % {"course": course.title}
    body = _(
        "Chào %(name)s,\n\n"
        "Đã hơn %(days)d ngày bạn chưa quay lại khoá học “%(course)s”. "
        "Bạn có thể học tiếp ngay từ chỗ đã dừng:\n%(link)s\n\n"
        "Mỗi bài chỉ mất vài phút, học trên điện thoại được.\n\n"
        "Không muốn nhận nhắc nhở cho khoá học này nữa? Bấm vào đây:\n%(stop)s\n"
    ) % {"name": name, "days": INACTIVITY_DAYS, "course": course.title, "link": link, "stop": stop}
    sms = _("Bạn chưa học tiếp khoá “%(course)s”. Học tiếp: %(link)s . Tắt nhắc nhở: %(stop)s") % {
        "course": course.title, "link": link, "stop": stop}
    return subject, body, sms


def inactivity_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Send one reminder to each enrolment due (see enrolments_due_for_reminder), by
    e-mail, or by SMS when the learner has no e-mail address, in the learner's language
    (Vietnamese by default). Returns how many were sent. Safe to re-run at any time."""
    now = now or timezone.now()
    sent = 0
    due = (
        enrolments_due_for_reminder(now=now)
        .select_related("learner", "course", "last_lesson")
        .order_by("pk")
    )
    last_pk = 0
    while True:
        batch = list(due.filter(pk__gt=last_pk)[:BATCH_SIZE])
        if not batch:
            break
        last_pk = batch[-1].pk
        for enrolment in batch:
            if not _claim(enrolment, now):
                continue
            learner = enrolment.learner
            try:
                with translation.override(learner.preferred_language or "vi"):
                    subject, body, sms = _message(enrolment)
                if learner.email:
                    send_mail(subject, body, None, [learner.email])
                else:
                    send_sms(to=learner.phone, body=sms)
            except Exception:
                # Claimed but not delivered: logged, never retried (no duplicates).
                logger.exception("Inactivity reminder for enrolment %s failed", enrolment.pk)
                continue
            sent += 1
    return sent


@job_handler(REMINDER_JOB, atomic=False, max_attempts=3, lease_seconds=3600)
def send_inactivity_reminders() -> int:
    """Daily: remind learners inactive for 7 days on an unfinished course (see
    inactivity_reminders_send)."""
    return inactivity_reminders_send()
