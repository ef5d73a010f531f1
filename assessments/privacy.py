"""What assessments hold about a person (lms.privacy section): evidence of competence,
self-assessments and quiz attempts. Nothing in them names the person, so erasure keeps
them (levels and item statistics stay as they were) and touches no row."""

from django.utils.translation import gettext_lazy as _

from lms.privacy.registry import section


def _iso(value):
    return value.isoformat() if value else None


def assessments_export(user) -> dict:
    from assessments.models import Evidence, SelfAssessment
    from assessments.quizzes.models import Attempt

    return {
        "evidence": [
            {"competence": e.competence.code, "level": e.level, "method": e.method, "date": _iso(e.date),
             "source": e.source_label}
            for e in Evidence.objects.filter(person=user).select_related("competence").order_by("pk")
        ],
        "self_assessments": [
            {"instrument": str(s.instrument), "started_at": _iso(s.started_at),
             "updated_at": _iso(s.updated_at)}
            for s in SelfAssessment.objects.filter(person=user).select_related("instrument").order_by("pk")
        ],
        "quiz_attempts": [
            {"quiz": str(a.quiz), "number": a.number, "state": a.state, "started_at": _iso(a.started_at),
             "submitted_at": _iso(a.submitted_at), "score": None if a.score is None else str(a.score)}
            for a in Attempt.objects.filter(learner=user).select_related("quiz").order_by("pk")
        ],
    }


section("assessments", _("Năng lực số và bài kiểm tra"), export=assessments_export)
