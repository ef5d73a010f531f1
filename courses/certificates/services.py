"""Writes for certificates: issue, revoke, re-issue, render the PDF, say it is ready.

Views, the API, the completion hook and the jobs call these; nothing else writes a
Certificate.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.certificates.codes import code_generate
from courses.certificates.models import Certificate
from courses.certificates.selectors import certificate_can_manage
from courses.models import CourseCompletion, CoursePage
from lms.jobs.services import job_enqueue

logger = logging.getLogger(__name__)

RENDER_JOB = "certificates.render_pdf"
READY_JOB = "certificates.ready_notify"
REASON_MAX_LENGTH = 500


def competences_snapshot(*, course: CoursePage) -> list[dict[str, str | int]]:
    """The course's competences as {code, title, level, evidence_level}: the title (in
    Vietnamese) from the competence framework when the qualified code (digcomp-2.2:4.2)
    names a known competence, else empty; `level` is the course's level name and
    `evidence_level` the level a completion records (courses.evidence). At most one
    query (competence names are cached)."""
    from assessments.selectors import competences_named
    from courses.evidence import LEVEL_FOR_COURSE
    from courses.models import Level

    codes = course.competence_codes
    named = competences_named(codes=codes)
    level = str(course.get_level_display())
    evidence_level = LEVEL_FOR_COURSE.get(course.level, LEVEL_FOR_COURSE[Level.BEGINNER])
    return [
        {"code": code, "title": named[code].title_vi if code in named else "", "level": level,
         "evidence_level": evidence_level}
        for code in codes
    ]


def _issue(*, completion: CourseCompletion, replaces: Certificate | None = None) -> Certificate:
    course = completion.course
    learner = completion.learner
    now = timezone.now()
    for _attempt in range(5):
        certificate = Certificate(
            learner=learner,
            course=course,
            completion=completion,
            code=code_generate(),
            issued_at=now,
            replaces=replaces,
            learner_name=learner.display_name,
            course_title=course.title,
            course_level=str(course.get_level_display()),
            competences=competences_snapshot(course=course),
        )
        try:
            with transaction.atomic():
                certificate.save()
        except IntegrityError:
            if Certificate.objects.filter(completion=completion, status=Certificate.Status.VALID).exists():
                raise
            continue  # a code collision (one in 2^60): draw another
        job_enqueue(task=RENDER_JOB, kwargs={"certificate_id": certificate.pk},
                    dedupe_key=f"{RENDER_JOB}:{certificate.pk}")
        return certificate
    raise RuntimeError("Could not draw an unused certificate code")


@transaction.atomic
def certificate_issue(*, completion: CourseCompletion) -> Certificate | None:
    """Issue the certificate for a course completion and queue its PDF.

    Rules: only when the course awards a certificate (None otherwise); at most one
    valid certificate per completion, so a repeated call returns the existing one (a
    partial unique constraint backs it against races); a completion whose certificate
    was revoked gets no new one here: staff re-issue it (`certificate_reissue`). The
    learner's name, the course title, level and competences are copied now. The PDF
    job (certificates.render_pdf) is written to the outbox in the same transaction.
    """
    course = completion.course
    if not course.certificate_awarded:
        return None
    existing = Certificate.objects.filter(completion=completion).order_by("-issued_at", "-id")
    valid = existing.filter(status=Certificate.Status.VALID).first()
    if valid is not None:
        return valid
    if existing.exists():
        raise ValidationError(
            _("Chứng nhận của lần hoàn thành này đã bị thu hồi; chỉ cán bộ quản lý mới cấp lại được."),
            code="revoked",
        )
    try:
        with transaction.atomic():
            return _issue(completion=completion)
    except IntegrityError:
        return Certificate.objects.get(completion=completion, status=Certificate.Status.VALID)


def certificate_issue_on_completion(*, completion: CourseCompletion) -> None:
    """courses.completion hook: a new completion of a course that awards one."""
    certificate_issue(completion=completion)


def _check_staff(by) -> None:
    if not certificate_can_manage(user=by):
        raise PermissionDenied(_("Bạn không có quyền thu hồi hoặc cấp lại chứng nhận."))


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do.")}, code="reason_required")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Lý do dài quá %(max)s ký tự.") % {"max": REASON_MAX_LENGTH}}, code="reason_too_long"
        )
    return reason


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke a valid certificate.

    Rules: `by` may manage certificates (certificates.change_certificate or platform
    administrator), else PermissionDenied; a reason is required (500 characters at
    most); a certificate already revoked is refused. The verification page and the API
    say "revoked" with the date from then on; the row, its code and PDF are kept.
    """
    _check_staff(by)
    reason = _clean_reason(reason)
    now = timezone.now()
    updated = Certificate.objects.filter(pk=certificate.pk, status=Certificate.Status.VALID).update(
        status=Certificate.Status.REVOKED, revoked_at=now, revoked_reason=reason, revoked_by=by
    )
    if not updated:
        raise ValidationError(_("Chứng nhận này đã bị thu hồi rồi."), code="already_revoked")
    certificate.refresh_from_db()
    return certificate


@transaction.atomic
def certificate_reissue(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke `certificate` (if still valid) and issue a new one that replaces it.

    Rules: the same permission and reason as `certificate_revoke`; the new certificate
    has a new code, today's date and fresh snapshots (a corrected name shows), and
    points at the old one (`replaces`). A certificate already replaced cannot be
    re-issued again (re-issue the newest one instead); a revoked one that was never
    replaced can be (a revocation made by mistake).
    """
    _check_staff(by)
    reason = _clean_reason(reason)
    locked = Certificate.objects.select_for_update().select_related("completion__course",
                                                                    "completion__learner").get(pk=certificate.pk)
    if Certificate.objects.filter(replaces=locked).exists():
        raise ValidationError(_("Chứng nhận này đã được cấp lại; hãy cấp lại từ chứng nhận mới nhất."),
                              code="already_replaced")
    if locked.is_valid:
        certificate_revoke(certificate=locked, by=by, reason=reason)
    elif Certificate.objects.filter(completion=locked.completion, status=Certificate.Status.VALID).exists():
        raise ValidationError(_("Lần hoàn thành này đã có một chứng nhận còn hiệu lực."), code="has_valid")
    return _issue(completion=locked.completion, replaces=locked)


def certificate_pdf_render(*, certificate_id: int) -> Certificate | None:
    """Draw the certificate's PDF and store it; then queue the "ready" message.

    Rules: idempotent (a certificate whose PDF is ready is left alone); a missing
    certificate is nothing to do. A failure marks the PDF "failed" (the learner sees
    that it is being retried) and is raised so the outbox retries the job.
    """
    from courses.certificates.pdf import certificate_pdf_bytes

    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        return None
    if certificate.pdf_state == Certificate.PdfState.READY and certificate.pdf:
        return certificate
    try:
        content = certificate_pdf_bytes(certificate=certificate)
        certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(content), save=False)
    except Exception:
        Certificate.objects.filter(pk=certificate.pk).exclude(pdf_state=Certificate.PdfState.READY).update(
            pdf_state=Certificate.PdfState.FAILED
        )
        raise
    with transaction.atomic():
        Certificate.objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name,
                                                              pdf_state=Certificate.PdfState.READY)
        job_enqueue(task=READY_JOB, kwargs={"certificate_id": certificate.pk},
                    dedupe_key=f"{READY_JOB}:{certificate.pk}")
    certificate.pdf_state = Certificate.PdfState.READY
    return certificate
