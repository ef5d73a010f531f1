"""Inactivity reminders: who gets one, only once, by e-mail or SMS; the opt-out link."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from courses import reminders, services
from courses.models import Enrolment
from lms.accounts import sms
from lms.jobs.registry import handler_get
from tests.courses.builders import lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _empty_outboxes():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _enrol(course, *, days_idle: int, **user) -> Enrolment:
    learner = UserFactory(**user)
    enrolment = services.enrolment_create(learner=learner, course=course)
    Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_at=timezone.now() - days_idle * DAY)
    enrolment.refresh_from_db()
    return enrolment


def test_handler_is_registered():
    handler = handler_get("courses.send_inactivity_reminders")
    assert handler is not None and handler.func is reminders.send_inactivity_reminders
    assert handler.atomic is False


def test_reminds_inactive_learners_once(course):
    idle = _enrol(course, days_idle=8, username="idle", full_name="Nguyễn Thị Ánh", email="anh@example.test")
    recent = _enrol(course, days_idle=2, username="recent")
    opted = _enrol(course, days_idle=30, username="opted")
    Enrolment.objects.filter(pk=opted.pk).update(reminders_opt_out=True)
    finished = _enrol(course, days_idle=30, username="finished")
    Enrolment.objects.filter(pk=finished.pk).update(status=Enrolment.Status.COMPLETED)
    left = _enrol(course, days_idle=30, username="left")
    services.enrolment_cancel(learner=left.learner, course=course)

    assert reminders.send_inactivity_reminders() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anh@example.test"]
    assert "Dùng VNeID an toàn" in message.subject
    assert "Chào Nguyễn Thị Ánh" in message.body and "8" not in message.subject
    idle.refresh_from_db()
    assert idle.last_reminded_at is not None
    recent.refresh_from_db()
    assert recent.last_reminded_at is None

    # a second run (or a re-run after a crash) sends nothing more
    assert reminders.send_inactivity_reminders() == 0
    assert len(mail.outbox) == 1


def test_a_new_period_of_inactivity_gets_a_new_reminder(course):
    enrolment = _enrol(course, days_idle=10, username="back")
    assert reminders.inactivity_reminders_send() == 1
    lesson = lessons_of(course)[0]
    services.lesson_visit(learner=enrolment.learner, lesson=lesson, course_id=course.pk)
    assert reminders.inactivity_reminders_send() == 0  # active again
    later = timezone.now() + 8 * DAY
    assert reminders.inactivity_reminders_send(now=later) == 1
    assert reminders.inactivity_reminders_send(now=later) == 0
    assert len(mail.outbox) == 2
    assert lesson.url_path.split("/")[-2] in mail.outbox[1].body  # links back to the last lesson


def test_sms_when_there_is_no_email_and_nothing_when_unreachable(course):
    _enrol(course, days_idle=9, username="phone-only", email="", phone="+84912345678")
    _enrol(course, days_idle=9, username="nobody", email="")
    assert reminders.inactivity_reminders_send() == 1
    assert not mail.outbox
    assert [m.to for m in sms.outbox] == ["+84912345678"]
    assert "/hoc-tap/nhac-nho/huy/" in sms.outbox[0].body


def test_a_failed_send_is_not_retried_and_does_not_stop_the_others(course, monkeypatch):
    first = _enrol(course, days_idle=9, username="a-first", email="first@example.test")
    _enrol(course, days_idle=9, username="b-second", email="second@example.test")
    real = reminders.send_mail

    def flaky(subject, body, sender, to):
        if to == ["first@example.test"]:
            raise OSError("SMTP down")
        return real(subject, body, sender, to)

    monkeypatch.setattr(reminders, "send_mail", flaky)
    assert reminders.inactivity_reminders_send() == 1
    assert [m.to for m in mail.outbox] == [["second@example.test"]]
    first.refresh_from_db()
    assert first.last_reminded_at is not None  # at most once: no duplicate later
    assert reminders.inactivity_reminders_send() == 0


def _opt_out_path(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/hoc-tap/nhac-nho/huy/[^\s]+/)", body).group(1)


def test_opt_out_link_from_the_email(client, course):
    enrolment = _enrol(course, days_idle=9, username="stop", email="stop@example.test")
    reminders.inactivity_reminders_send()
    path = _opt_out_path(mail.outbox[0].body)

    page = client.get(path)  # no login needed; GET changes nothing
    assert page.status_code == 200 and "Tắt nhắc nhở" in page.content.decode()
    enrolment.refresh_from_db()
    assert not enrolment.reminders_opt_out

    done = client.post(path)
    assert done.status_code == 200 and "không nhận nhắc nhở" in done.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.reminders_opt_out
    assert client.post(path).status_code == 200  # repeating is harmless

    # a later period of inactivity sends nothing
    assert reminders.inactivity_reminders_send(now=timezone.now() + 30 * DAY) == 0


def test_tampered_opt_out_links_are_refused(client, course):
    enrolment = _enrol(course, days_idle=1, username="victim")
    other = _enrol(course, days_idle=1, username="other")
    token = reminders.opt_out_token(enrolment_id=enrolment.pk)
    forged = token.replace(token.split(":")[0], reminders.opt_out_token(enrolment_id=other.pk).split(":")[0])
    for bad in (forged, token[:-1] + ("A" if token[-1] != "A" else "B"), "abc", "e30:abc:def"):
        url = reverse("courses:reminder_opt_out", kwargs={"token": bad})
        assert client.get(url).status_code == 400
        response = client.post(url)
        assert response.status_code == 400 and "không hợp lệ" in response.content.decode()
    assert not Enrolment.objects.filter(reminders_opt_out=True).exists()


def test_opt_out_for_a_deleted_enrolment_is_404(client, course):
    enrolment = _enrol(course, days_idle=1, username="gone")
    token = reminders.opt_out_token(enrolment_id=enrolment.pk)
    url = reverse("courses:reminder_opt_out", kwargs={"token": token})
    Enrolment.objects.filter(pk=enrolment.pk).delete()
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
