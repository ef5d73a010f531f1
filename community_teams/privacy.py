"""What community teams hold about a person (lms.privacy section and retention rule).

A member: the visits they logged and their paired devices. A resident with a learner
account: the resident row linked to it and the enrolments made for them during visits.
Erasure deletes devices and unlinks the resident from the account; visits, residents and
assisted enrolments stay (the indicators count them; they name nobody).

Retention: a visit's free-text note and the reasons written for its activities are
blanked VISIT_DETAIL_RETENTION_DAYS after the visit (default 730); dates, outcomes and
who was present stay, so every indicator keeps its value."""

import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lms.privacy.registry import retention_rule, section


def _iso(value):
    return value.isoformat() if value else None


def teams_export(user) -> dict:
    from community_teams.models import AssistedEnrolment, Device, Resident, SupportVisit

    residents = list(Resident.objects.filter(learner=user).select_related("household__village"))
    return {
        "visits_logged": [
            {"id": str(v.id), "visited_on": _iso(v.visited_on), "village": v.village.name, "note": v.note}
            for v in SupportVisit.objects.filter(member=user).select_related("village").order_by("visited_on")
        ],
        "devices": [
            {"name": d.name, "created_at": _iso(d.created_at), "last_sync_at": _iso(d.last_sync_at),
             "revoked_at": _iso(d.revoked_at)}
            for d in Device.objects.filter(user=user).order_by("created_at")
        ],
        "as_resident": [
            {"birth_year": r.birth_year, "sex": r.sex, "village": r.household.village.name}
            for r in residents
        ],
        "assisted_enrolments": [
            {"skill": a.skill, "consent_recorded_at": _iso(a.consent_recorded_at),
             "created_at": _iso(a.created_at)}
            for a in AssistedEnrolment.objects.filter(resident__in=residents).order_by("created_at")
        ],
    }


def teams_erase(user) -> int:
    from community_teams.models import Device, Resident

    touched = Device.objects.filter(user=user).delete()[0]
    touched += Resident.objects.filter(learner=user).update(learner=None)
    return touched


def visit_details_expire(now: datetime.datetime) -> int:
    from community_teams.models import SupportVisit, VisitActivity

    days = getattr(settings, "VISIT_DETAIL_RETENTION_DAYS", 730)
    cutoff = (now - datetime.timedelta(days=days)).date()
    touched = SupportVisit.objects.filter(visited_on__lt=cutoff).exclude(note="").update(note="")
    touched += VisitActivity.objects.filter(visited_on__lt=cutoff).exclude(reason="").update(reason="")
    return touched


section("community_teams", _("Tổ công nghệ số cộng đồng"), export=teams_export, erase=teams_erase)
retention_rule("community_teams.visit_details", visit_details_expire)
