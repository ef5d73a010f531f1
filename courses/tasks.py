"""Job handlers for courses (registered with lms.jobs; enqueued by courses.services)."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from lms.jobs.registry import job_handler


@job_handler("courses.enrolment_welcome_send")
def enrolment_welcome_send(*, enrolment_id: int) -> None:
    """E-mail the learner a welcome for a new enrolment, in their language (Vietnamese
    by default). Nothing to do without an e-mail address, for an enrolment that was
    cancelled meanwhile, or when it was already sent (a re-run after a crash)."""
    from courses.models import Enrolment

    enrolment = (Enrolment.objects.select_for_update(of=("self",))
                 .select_related("learner", "course").filter(pk=enrolment_id).first())
    if enrolment is None or enrolment.welcome_sent_at or enrolment.status == Enrolment.Status.UNENROLLED:
        return
    learner = enrolment.learner
    if not learner.email:
        return
    with translation.override(learner.preferred_language or "vi"):
        context = {"learner": learner, "course": enrolment.course,
                   "course_url": enrolment.course.get_full_url() or enrolment.course.url_path}
        subject = render_to_string("courses/email/welcome_subject.txt", context).strip()
        body = render_to_string("courses/email/welcome_body.txt", context)
    send_mail(subject, body, None, [learner.email])
    Enrolment.objects.filter(pk=enrolment.pk).update(welcome_sent_at=timezone.now())

# Handlers defined in other modules register when imported; lms.jobs imports tasks.py.
from courses import reminders  # noqa: E402,F401
