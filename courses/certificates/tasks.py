"""Job handlers for certificates (registered with lms.jobs; enqueued by the services)."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from lms.jobs.registry import job_handler


# Not atomic: the file is written to storage first, then the row says "ready" (a crash
# between the two leaves an orphan file and a re-run, never a "ready" without a file).
@job_handler("certificates.render_pdf", atomic=False, lease_seconds=300)
def render_pdf(*, certificate_id: int) -> None:
    from courses.certificates.services import certificate_pdf_render

    certificate_pdf_render(certificate_id=certificate_id)


@job_handler("certificates.ready_notify")
def ready_notify(*, certificate_id: int) -> None:
    """Tell the learner the certificate can be downloaded: by e-mail when they have an
    address, else by SMS to their phone, in their language. Once: `ready_notified_at`
    is set in the same transaction, so a re-run sends nothing."""
    from django.urls import reverse

    from courses.certificates.models import Certificate
    from courses.certificates.selectors import public_base_url
    from lms.accounts.sms import send_sms

    certificate = (Certificate.objects.select_for_update(of=("self",)).select_related("learner")
                   .filter(pk=certificate_id).first())
    if certificate is None or certificate.ready_notified_at or not certificate.is_valid:
        return
    learner = certificate.learner
    context = {
        "certificate": certificate,
        "learner": learner,
        "mine_url": public_base_url() + reverse("certificates:mine"),
        "verify_url": public_base_url() + reverse("certificates:verify", args=[certificate.code]),
    }
    with translation.override(learner.preferred_language or "vi"):
        if learner.email:
            subject = render_to_string("certificates/email/ready_subject.txt", context).strip()
            body = render_to_string("certificates/email/ready_body.txt", context)
            send_mail(subject, body, None, [learner.email])
        elif learner.phone:
            send_sms(to=learner.phone, body=render_to_string("certificates/sms/ready.txt", context).strip())
        else:
            return
    Certificate.objects.filter(pk=certificate.pk).update(ready_notified_at=timezone.now())
