"""The audit log (who, what, when, why). The API other apps use:

    from lms import audit

    audit.record(actor=request.user, action=audit.PERSONAL_DATA_VIEW, target=household,
                 purpose=_("Hỗ trợ hộ gia đình"), request=request)

    @audit.audited(purpose=_("…"), target=("community_teams.household", "household_id"))
    def household_detail(request, household_id): ...

Both are thin: lms.audit.services does the writing.
"""

PERSONAL_DATA_VIEW = "pd_view"
PERSONAL_DATA_EXPORT = "pd_export"


def record(**kwargs):
    from .services import record as _record

    return _record(**kwargs)


def audited(**kwargs):
    from .decorators import audited as _audited

    return _audited(**kwargs)
