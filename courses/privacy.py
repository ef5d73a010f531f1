"""What courses hold about a person (lms.privacy sections): enrolments, lesson progress,
completions and certificates. Erasure keeps every row (figures count them) and removes the
name printed on certificates, with their PDF files."""

from django.utils.translation import gettext_lazy as _

from lms.privacy.registry import section

ERASED_NAME = "—"


def _iso(value):
    return value.isoformat() if value else None


def courses_export(user) -> dict:
    from courses.certificates.models import Certificate
    from courses.models import CourseCompletion, Enrolment, LessonProgress

    return {
        "enrolments": [
            {"course": e.course.title, "status": e.status, "enrolled_at": _iso(e.enrolled_at),
             "completed_at": _iso(e.completed_at), "ended_at": _iso(e.ended_at),
             "reminders_opt_out": e.reminders_opt_out}
            for e in Enrolment.objects.filter(learner=user).select_related("course").order_by("pk")
        ],
        "lesson_progress": [
            {"lesson": p.lesson.title, "completed_at": _iso(p.completed_at), "seconds_spent": p.seconds_spent}
            for p in LessonProgress.objects.filter(learner=user).select_related("lesson").order_by("pk")
        ],
        "completions": [
            {"course": c.course.title, "completed_at": _iso(c.completed_at)}
            for c in CourseCompletion.objects.filter(learner=user).select_related("course").order_by("pk")
        ],
        "certificates": [
            {"code": c.code, "course": c.course_title, "name_on_certificate": c.learner_name,
             "issued_at": _iso(c.issued_at), "status": c.status}
            for c in Certificate.objects.filter(learner=user).order_by("pk")
        ],
    }


def courses_erase(user) -> int:
    from courses.certificates.models import Certificate

    touched = 0
    for certificate in Certificate.objects.filter(learner=user):
        if certificate.pdf:
            certificate.pdf.delete(save=False)
        certificate.learner_name = ERASED_NAME
        certificate.save(update_fields=["learner_name", "pdf"])
        touched += 1
    return touched


section("courses", _("Khoá học và chứng chỉ"), export=courses_export, erase=courses_erase)
