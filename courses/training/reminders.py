"""Deadline reminders to people and a weekly overdue digest to managers.

"training.send_deadline_reminders" runs daily and "training.send_manager_digests" weekly
(beat in lms/celery_app.py, through the outbox). Each message is claimed first by
inserting its unique row (ReminderSent per assignment and kind, ManagerDigestSent per
manager and ISO week), committed before the message goes out: a re-run or a second
worker never sends twice; a message whose sending failed after its claim is not
retried (a missed reminder is better than a duplicate).

Which reminder: with d = days left to the end of the deadline day (0 on the day),
d ≤ 1 → "d1", d ≤ 7 → "d7", d ≤ 30 → "d30"; only the most urgent one that applies is
sent, so a day the job did not run never produces a burst of stale reminders.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms.accounts.models import Role, RoleAssignment
from lms.accounts.selectors import agencies_visible_to
from lms.accounts.sms import send_sms
from lms.jobs.registry import job_handler

from .models import ManagerDigestSent, PlanAssignment, ReminderSent

logger = logging.getLogger(__name__)

REMINDER_JOB = "training.send_deadline_reminders"
DIGEST_JOB = "training.send_manager_digests"
THRESHOLDS = [(ReminderSent.Kind.DAYS_1, 1), (ReminderSent.Kind.DAYS_7, 7), (ReminderSent.Kind.DAYS_30, 30)]
DIGEST_NAMES = 50
OPEN = [PlanAssignment.Status.NOT_STARTED, PlanAssignment.Status.IN_PROGRESS]


def reminder_kind(*, days_left: int) -> str | None:
    for kind, days in THRESHOLDS:
        if 0 <= days_left <= days:
            return kind
    return None


def assignments_due_for_reminder(*, today: datetime.date):
    """Unfinished, counted assignments whose deadline is today or within 30 days."""
    return (
        PlanAssignment.objects.filter(
            status__in=OPEN,
            left_on__isnull=True,
            due_on__gte=today,
            due_on__lte=today + datetime.timedelta(days=30),
            user__is_active=True,
        )
        .select_related("user", "plan")
        .order_by("pk")
    )


def _claim(model, **fields) -> bool:
    try:
        with transaction.atomic():
            model.objects.create(**fields)
    except IntegrityError:
        return False
    return True


def _link(name: str) -> str:
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/") + reverse(name)


def _remind(assignment: PlanAssignment, days_left: int) -> None:
    user = assignment.user
    with translation.override(user.preferred_language or "vi"):
        values = {
            "name": user.full_name or _("bạn"),
            "plan": assignment.plan.name,
            "date": assignment.due_on.strftime("%d/%m/%Y"),
            "days": days_left,
            "link": _link("training:mine"),
            "done": assignment.items_done,
            "total": assignment.items_required,
        }
        if user.email:
            send_mail(
                _("Nhắc hạn bồi dưỡng: “%(plan)s” hết hạn ngày %(date)s") % values,
                _(
                    "Chào %(name)s,\n\nKế hoạch bồi dưỡng “%(plan)s” hết hạn vào cuối ngày %(date)s "
                    "(còn %(days)s ngày). Bạn đã hoàn thành %(done)s/%(total)s yêu cầu.\n\n"
                    "Xem những việc còn lại: %(link)s\n"
                )
                % values,
                None,
                [user.email],
            )
        elif user.phone:
            send_sms(
                to=user.phone,
                body=_(
                    "Kế hoạch bồi dưỡng “%(plan)s” hết hạn cuối ngày %(date)s (còn %(days)s ngày). "
                    "Xem: %(link)s"
                )
                % values,
            )


def deadline_reminders_send(*, today: datetime.date | None = None) -> int:
    """Send each due reminder once; returns how many were sent now."""
    today = today or timezone.localdate()
    sent = 0
    for assignment in assignments_due_for_reminder(today=today).iterator(chunk_size=500):
        days_left = (assignment.due_on - today).days
        kind = reminder_kind(days_left=days_left)
        if kind is None or not (assignment.user.email or assignment.user.phone):
            continue
        if not _claim(ReminderSent, assignment=assignment, kind=kind):
            continue
        try:
            _remind(assignment, days_left)
            sent += 1
        except Exception:  # noqa: BLE001 - one failed message must not stop the others
            logger.exception("training: reminder %s for assignment %s failed", kind, assignment.pk)
    return sent


def overdue_for_manager(*, manager, now: datetime.datetime | None = None):
    """Overdue, counted assignments of people in the manager's agencies."""
    now = now or timezone.now()
    return (
        PlanAssignment.objects.filter(
            agency__in=agencies_visible_to(user=manager),
            status__in=OPEN,
            left_on__isnull=True,
            due_before__lte=now,
        )
        .select_related("user", "plan", "agency")
        .order_by("agency__name", "due_on", "pk")
    )


def manager_digests_send(*, today: datetime.date | None = None) -> int:
    """Send each training manager with overdue staff one digest for this ISO week."""
    today = today or timezone.localdate()
    week = today - datetime.timedelta(days=today.weekday())
    managers = (
        RoleAssignment.objects.active_on(today)
        .filter(role=Role.TRAINING_MANAGER, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id")
    )
    sent, seen = 0, set()
    for role in managers:
        manager = role.user
        if manager.pk in seen:
            continue
        seen.add(manager.pk)
        overdue = overdue_for_manager(manager=manager)
        count = overdue.count()
        if not count or not _claim(ManagerDigestSent, manager=manager, week=week, overdue_count=count):
            continue
        with translation.override(manager.preferred_language or "vi"):
            lines = [
                f"- {a.user.display_name} · {a.agency.name} · {a.plan.name} · {a.due_on:%d/%m/%Y}"
                for a in overdue[:DIGEST_NAMES]
            ]
            if count > DIGEST_NAMES:
                lines.append(_("… và %(n)s người khác.") % {"n": count - DIGEST_NAMES})
            body = _(
                "Chào %(name)s,\n\nCó %(count)s người quá hạn bồi dưỡng trong phạm vi bạn quản lý:\n\n"
                "%(lines)s\n\nXem và xử lý: %(link)s\n"
            ) % {
                "name": manager.full_name or _("bạn"),
                "count": count,
                "lines": "\n".join(lines),
                "link": _link("training:plans"),
            }
            try:
                send_mail(
                    _("Tổng hợp hằng tuần: %(n)s người quá hạn bồi dưỡng") % {"n": count},
                    body,
                    None,
                    [manager.email],
                )
                sent += 1
            except Exception:  # noqa: BLE001
                logger.exception("training: digest for manager %s failed", manager.pk)
    return sent


@job_handler(REMINDER_JOB, atomic=False, max_attempts=3, lease_seconds=3600)
def send_deadline_reminders() -> int:
    return deadline_reminders_send()


@job_handler(DIGEST_JOB, atomic=False, max_attempts=3, lease_seconds=3600)
def send_manager_digests() -> int:
    return manager_digests_send()
