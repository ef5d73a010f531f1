"""Reminders 30, 7 and 1 days before the deadline, each sent once; the weekly digest of
overdue staff to each manager, once a week; the beat schedule names the jobs; login
lands civil servants on their page."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from courses.training.models import ManagerDigestSent, PlanAssignment, ReminderSent
from courses.training.reminders import deadline_reminders_send, manager_digests_send, reminder_kind
from courses.training.services import assignment_exempt, plan_create
from lms.celery_app import app
from lms.jobs.registry import handler_get
from tests.training.conftest import course_complete, staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("days", "kind"),
    [(31, None), (30, "d30"), (8, "d30"), (7, "d7"), (2, "d7"), (1, "d1"), (0, "d1"), (-1, None)],
)
def test_reminder_kind(days, kind):
    assert reminder_kind(days_left=days) == kind


def test_reminders_are_sent_once_per_kind_to_unfinished_people(tree, courses, manager):
    today = timezone.localdate()
    late, done, exempt = staff(tree["a"]), staff(tree["a"]), staff(tree["b"])
    plan = plan_create(
        name="Nhắc hạn",
        year=today.year,
        agency=tree["so"],
        deadline=today + datetime.timedelta(days=30),
        courses=[courses["c1"]],
    )
    course_complete(courses["c1"], done)
    assignment_exempt(
        assignment=PlanAssignment.objects.get(plan=plan, user=exempt), reason="Nghỉ phép", by=manager
    )
    assert deadline_reminders_send(today=today) == 1
    assert [m.to for m in mail.outbox] == [[late.email]]
    assert "Nhắc hạn" in mail.outbox[0].subject and "còn 30 ngày" in mail.outbox[0].body
    assert deadline_reminders_send(today=today) == 0  # the same day again: nothing
    assert deadline_reminders_send(today=today + datetime.timedelta(days=5)) == 0  # still the d30 window
    assert deadline_reminders_send(today=today + datetime.timedelta(days=23)) == 1  # 7 days left
    assert deadline_reminders_send(today=today + datetime.timedelta(days=29)) == 1  # 1 day left
    assert deadline_reminders_send(today=today + datetime.timedelta(days=30)) == 0  # d1 already sent
    assert deadline_reminders_send(today=today + datetime.timedelta(days=31)) == 0  # past the deadline
    row = PlanAssignment.objects.get(plan=plan, user=late)
    assert sorted(ReminderSent.objects.filter(assignment=row).values_list("kind", flat=True)) == [
        "d1",
        "d30",
        "d7",
    ]
    assert len(mail.outbox) == 3


def test_weekly_digest_once_per_manager_and_week(tree, courses, manager, division_manager):
    today = timezone.localdate()
    person_a = staff(tree["a"], full_name="Quá Hạn A", valid_from=today - datetime.timedelta(days=40))
    staff(tree["b"], full_name="Quá Hạn B", valid_from=today - datetime.timedelta(days=40))
    staff(tree["other_div"], full_name="Quá Hạn Khác", valid_from=today - datetime.timedelta(days=40))
    for agency in (tree["so"], tree["other"]):
        plan = plan_create(
            name="Đã hết hạn", year=today.year, agency=agency, deadline=today, courses=[courses["c1"]]
        )
        PlanAssignment.objects.filter(plan=plan).update(
            due_on=today - datetime.timedelta(days=3), due_before=timezone.now() - datetime.timedelta(days=2)
        )
    assert manager_digests_send(today=today) == 2
    by_manager = {m.to[0]: m.body for m in mail.outbox}
    assert "Quá Hạn A" in by_manager[manager.email] and "Quá Hạn B" in by_manager[manager.email]
    assert "Quá Hạn Khác" not in by_manager[manager.email]
    assert (
        "Quá Hạn A" in by_manager[division_manager.email]
        and "Quá Hạn B" not in by_manager[division_manager.email]
    )
    assert manager_digests_send(today=today) == 0  # same week
    assert ManagerDigestSent.objects.get(manager=manager).overdue_count == 2
    assert person_a  # used


def test_beat_schedule_runs_the_training_jobs():
    tasks = {entry["args"][0] for entry in app.conf.beat_schedule.values() if entry.get("args")}
    for name in (
        "training.send_deadline_reminders",
        "training.send_manager_digests",
        "training.plans_recur",
        "training.refresh_open_assignments",
    ):
        assert name in tasks and handler_get(name) is not None


def test_civil_servants_land_on_their_training_page(client, tree):
    person = staff(tree["a"], email="cs@example.test")
    person.set_password("Mật-khẩu-đủ-dài-123")
    person.save()
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    response = client.post(
        "/accounts/login/", {"login": "cs@example.test", "password": "Mật-khẩu-đủ-dài-123"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("training:mine")
