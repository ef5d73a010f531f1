"""What mandatory training holds about a person (lms.privacy section): employments,
plan assignments, plan certificates, invitations. Erasure keeps employments and
assignments (compliance figures count them, by id) and removes the name printed on plan
certificates and the pending invitation."""

from django.utils.translation import gettext_lazy as _

from lms.privacy.registry import section

ERASED_NAME = "—"


def _iso(value):
    return value.isoformat() if value else None


def training_export(user) -> dict:
    from courses.training.models import Employment, PlanAssignment, TrainingCertificate

    return {
        "employments": [
            {"agency": e.agency.name, "position": e.position.name if e.position_id else None,
             "category": e.category, "valid_from": _iso(e.valid_from), "valid_to": _iso(e.valid_to)}
            for e in Employment.objects.filter(user=user).select_related("agency", "position").order_by("pk")
        ],
        "plan_assignments": [
            {"plan": a.plan.name, "year": a.plan.year, "status": a.status, "due_on": _iso(a.due_on)}
            for a in PlanAssignment.objects.filter(user=user).select_related("plan").order_by("pk")
        ],
        "plan_certificates": [
            {"code": c.code, "plan": c.plan_name, "name_on_certificate": c.learner_name,
             "issued_at": _iso(c.issued_at)}
            for c in TrainingCertificate.objects.filter(assignment__user=user).order_by("pk")
        ],
    }


def training_erase(user) -> int:
    from courses.training.models import StaffInvitation, TrainingCertificate

    touched = TrainingCertificate.objects.filter(assignment__user=user).update(learner_name=ERASED_NAME)
    touched += StaffInvitation.objects.filter(user=user).delete()[0]
    return touched


section("training", _("Bồi dưỡng bắt buộc"), export=training_export, erase=training_erase)
