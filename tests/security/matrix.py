"""The authorisation matrix: for every URL pattern of our apps and every API operation,
what each role gets, for objects inside and outside its scope.

HOW TO ADD AN ENTRY (test_authz_matrix.py fails until every URL and operation has one)
----------------------------------------------------------------------------------------
A new page: add a line to URLS, keyed by the pattern's name ("namespace:name", or the
route for an unnamed pattern, as the failure message prints it):

    "privacy:page": [P(everyone(200))],                          # public
    "audit:log": [P(signed_in(403, admin=200))],                 # admins only
    "teams:thing": [
        P(signed_in(404, **both(TEAM, 200)), household_id="household_in"),  # own village
        P(signed_in(404), household_id="household_out"),                     # another one
    ],

P(expect, method="GET", data=None, query="", **url_kwargs): one request per role.
A kwarg's value names an object of the shared world (world.py: "household_in", "c1",
"plan_out"…; its pk is used, or its code for certificates) or is given as a literal
with lit("…"). `expect` maps every role to a status: build it with everyone(status, …)
or signed_in(status, …) (anonymous → LOGIN, a redirect to the login page), then
override roles by name or with both(GROUP, status). Write the expectation from the
scope rules (lms/accounts/selectors.py, the app's docs), never from what the page
does today. An API operation goes in API, keyed "METHOD /api/v1/path", the same way
(anonymous is 401 there, not LOGIN: use api_signed_in); `data` is its JSON body. API
entries run twice: with the site session and with each role's personal API token
(Authorization: Bearer); give bearer=… when the token's answer differs.

The roles (world.py): anonymous, learner, civil_servant (D1 under S1), team_member and
team_leader (village V1a of commune C1), commune_officer (C1), province_officer (P1),
national_officer, training_manager (agency S1 and below), editor (content editor in the
Wagtail "Editors" group), admin (platform administrator, Django superuser).
"""

from dataclasses import dataclass, field

from tests.security.world import ROLES

LOGIN = "login"  # a 302 to the login page

# Role groups, as the scope rules define them.
TEAM = ("team_member", "team_leader")
OVER_C1 = ("commune_officer", "province_officer", "national_officer", "admin")  # units_visible_to ∋ C1
OVER_P1 = ("province_officer", "national_officer", "admin")
NATIONWIDE = ("national_officer", "admin")
MANAGERS = ("training_manager", "admin")  # is_training_manager (admin: superuser, platform admin)
COMPLIANCE_S1 = ("training_manager", "national_officer", "admin")  # compliance_agencies_for ∋ S1
COURSE_STAFF = ("editor", "admin")  # user_can_manage_courses / evidence scope "all"
SIGNED_IN = tuple(r for r in ROLES if r != "anonymous")


@dataclass(frozen=True)
class lit:  # noqa: N801 - reads as a marker in the tables
    """A literal URL argument (not an object of the world)."""

    value: object


@dataclass
class P:
    expect: dict
    method: str = "GET"
    data: dict | None = None
    query: str = ""
    kwargs: dict = field(default_factory=dict)
    bearer: dict | None = None

    def __init__(self, expect, method="GET", data=None, query="", bearer=None, **kwargs):
        for table in (expect, bearer or expect):
            missing = set(ROLES) - set(table)
            assert not missing, f"roles without an expectation: {missing}"
        self.expect, self.method, self.data, self.query, self.kwargs = expect, method, data, query, kwargs
        self.bearer = bearer


def both(roles, status) -> dict:
    return dict.fromkeys(roles, status)


def everyone(status, **overrides) -> dict:
    result = dict.fromkeys(ROLES, status)
    result.update(overrides)
    return result


def signed_in(status, **overrides) -> dict:
    """Anonymous → the login page; every signed-in role → `status` unless overridden."""
    return everyone(status, anonymous=LOGIN, **overrides)


def api_signed_in(status, **overrides) -> dict:
    """Anonymous → 401 (the API never redirects); signed-in → `status` unless overridden."""
    return everyone(status, anonymous=401, **overrides)


# --- Pages -------------------------------------------------------------------------------
URLS: dict[str, list[P]] = {
    # Accounts (ours, and allauth's views re-mounted by lms/accounts/urls.py).
    "accounts/login/": [P(everyone(302, anonymous=200))],  # signed in: sent on
    "accounts/signup/": [P(everyone(302, anonymous=200))],
    # Nothing pending (no code sent, no phone to verify): sent on.
    "accounts/login/code/confirm/": [P(signed_in(302))],
    "accounts/phone/verify/": [P(signed_in(302))],
    "accounts/phone/change/": [P(signed_in(200))],
    "accounts:profile": [P(signed_in(200))],
    "accounts:phone_password_reset": [P(everyone(200))],
    "accounts:phone_password_reset_confirm": [P(everyone(302))],  # no code: back to the request
    # Competence frameworks (public), self-assessment and profile (one's own).
    "assessments:framework_list": [P(everyone(200))],
    "assessments:framework_detail": [
        P(everyone(200), code="framework_code"),
        P(everyone(404), code=lit("khong-co")),
    ],
    "assessments:selfassessment_start": [P(signed_in(200))],
    "assessments:selfassessment_step": [
        # Nobody has a run open (the learner's is completed): back to the start page.
        P(signed_in(302), step="selfassessment_step"),
    ],
    "assessments:selfassessment_result": [
        P(signed_in(404, learner=200), pk="selfassessment_learner"),
    ],
    "assessments:profile": [P(signed_in(200))],
    # Staff evidence: editors and admins for everybody, training managers for their agencies.
    "assessments:staff_evidence_people": [
        P(signed_in(403, training_manager=200, **both(COURSE_STAFF, 200)))
    ],
    "assessments:staff_evidence_person": [
        P(signed_in(403, training_manager=200, **both(COURSE_STAFF, 200)), person_id="staff_in"),
        P(signed_in(403, training_manager=404, **both(COURSE_STAFF, 200)), person_id="staff_out"),
    ],
    "assessments:staff_evidence_correct": [
        P(signed_in(403, training_manager=200, **both(COURSE_STAFF, 200)), evidence_id="evidence_in"),
        P(signed_in(403, training_manager=404, **both(COURSE_STAFF, 200)), evidence_id="evidence_out"),
    ],
    # Certificates: verification is public, the PDF is its owner's, staff actions admins'.
    "certificates:lookup": [P(everyone(200)), P(everyone(400), query="ma=!!")],
    "certificates:issuer": [P(everyone(200))],
    "certificates:verify": [P(everyone(200), code="certificate")],
    "certificates:verify_any": [P(everyone(404), code=lit("khong-co-ma"))],
    "certificates:badge": [P(everyone(200), code="certificate")],
    # The owner's PDF is still being made (no worker in the test): sent to the page.
    "certificates:download": [P(signed_in(403, learner=302), code="certificate")],
    "certificates:mine": [P(signed_in(200))],
    "certificates:staff": [P(signed_in(403, admin=200))],
    "certificates:staff_action": [
        # An empty form: the admin is told what is missing (400); nobody else gets that far.
        P(signed_in(403, admin=400), method="POST", code="certificate", action=lit("thu-hoi")),
    ],
    # Community teams: commune officers (and above) manage teams; team members keep
    # their village's register. Another village's household is not found, whoever asks.
    "community_teams:home": [
        P(signed_in(403, **both(TEAM, 302), **both(OVER_C1, 302)))
    ],
    # Lists only one's communes (none: an empty page); one commune goes straight to it.
    "community_teams:commune_list": [P(signed_in(200, commune_officer=302))],
    "community_teams:team_list": [
        P(signed_in(403, **both(OVER_C1, 200)), commune_id="c1"),
        P(signed_in(403, **both(NATIONWIDE, 200)), commune_id="c3"),
    ],
    "community_teams:team_create": [
        P(signed_in(403, **both(OVER_C1, 200)), commune_id="c1"),
        P(signed_in(403, **both(NATIONWIDE, 200)), commune_id="c3"),
    ],
    "community_teams:team_import": [
        P(signed_in(403, **both(OVER_C1, 200)), commune_id="c1"),
        P(signed_in(403, **both(NATIONWIDE, 200)), commune_id="c3"),
    ],
    "community_teams:team_export": [
        P(signed_in(403, **both(OVER_C1, 200)), commune_id="c1"),
        P(signed_in(403, **both(NATIONWIDE, 200)), commune_id="c3"),
    ],
    "community_teams:team_detail": [
        P(signed_in(403, **both(OVER_C1, 200)), team_id="team_in"),
        P(signed_in(403, **both(NATIONWIDE, 200)), team_id="team_out"),
    ],
    "community_teams:commune_register": [
        P(signed_in(404, **both(OVER_C1, 200)), commune_id="c1"),
        P(signed_in(404, **both(NATIONWIDE, 200)), commune_id="c3"),
    ],
    "community_teams:household_list": [P(signed_in(403, **both(TEAM, 200)))],
    "community_teams:household_create": [P(signed_in(403, **both(TEAM, 200)))],
    "community_teams:household_detail": [
        P(signed_in(404, **both(TEAM, 200)), household_id="household_in"),
        P(signed_in(404), household_id="household_out"),
    ],
    "community_teams:household_edit": [
        P(signed_in(404, **both(TEAM, 200)), household_id="household_in"),
        P(signed_in(404), household_id="household_out"),
    ],
    "community_teams:household_delete": [
        P(signed_in(404, **both(TEAM, 302)), method="POST", household_id="household_in"),
        P(signed_in(404), method="POST", household_id="household_out"),
        P(signed_in(405), household_id="household_in"),  # GET never deletes (after the login)
    ],
    "community_teams:resident_create": [
        P(signed_in(404, **both(TEAM, 200)), household_id="household_in"),
        P(signed_in(404), household_id="household_out"),
    ],
    "community_teams:resident_edit": [
        P(signed_in(404, **both(TEAM, 200)), household_id="household_in", resident_id="resident_in"),
        P(signed_in(404), household_id="household_out", resident_id="resident_out"),
        # Another village's resident through one's own household: still not found.
        P(signed_in(404), household_id="household_in", resident_id="resident_out"),
    ],
    "community_teams:visit_create": [
        P(signed_in(404, **both(TEAM, 200)), household_id="household_in"),
        P(signed_in(404), household_id="household_out"),
    ],
    "community_teams:assisted_enrol": [
        P(signed_in(404, **both(TEAM, 200)), household_id="household_in"),
        P(signed_in(404), household_id="household_out"),
    ],
    "community_teams:device_list": [P(signed_in(200))],  # one's own devices only
    # The installable visit app: the shell needs a login, its manifest and worker do not.
    "community_teams:visit_app": [P(signed_in(200))],
    "community_teams:visit_app_manifest": [P(everyone(200))],
    "community_teams:visit_app_sw": [P(everyone(200))],
    # Compliance: training managers for their subtree, national officers and admins all.
    "compliance:home": [
        P(signed_in(403, training_manager=302, national_officer=200, admin=200)),
    ],
    "compliance:agency": [
        P(signed_in(404, **both(COMPLIANCE_S1, 200)), agency_id="s1"),
        P(signed_in(404, **both(COMPLIANCE_S1, 200)), agency_id="d1"),
        P(signed_in(404, **both(NATIONWIDE, 200)), agency_id="s2"),
    ],
    "compliance:people": [
        P(signed_in(404, **both(COMPLIANCE_S1, 200)), agency_id="s1"),
        P(signed_in(404, **both(NATIONWIDE, 200)), agency_id="s2"),
    ],
    "compliance:export": [
        P(signed_in(404, **both(COMPLIANCE_S1, 200)), agency_id="s1", fmt=lit("xlsx")),
        P(signed_in(404, **both(NATIONWIDE, 200)), agency_id="s2", fmt=lit("pdf")),
        P(signed_in(404), agency_id="s1", fmt=lit("doc")),
    ],
    "compliance:dti": [
        P(signed_in(404, **both(COMPLIANCE_S1, 200)), agency_id="s1"),
        P(signed_in(404, **both(NATIONWIDE, 200)), agency_id="s2"),
    ],
    "compliance:dti_export": [
        P(signed_in(404, **both(COMPLIANCE_S1, 200)), agency_id="s1", fmt=lit("xlsx")),
        P(signed_in(404, **both(NATIONWIDE, 200)), agency_id="s2", fmt=lit("xlsx")),
    ],
    # Site-wide.
    "content:search": [P(everyone(200)), P(everyone(200), query="q=vneid")],
    "core:healthz": [P(everyone(200))],
    "core:readyz": [P(everyone(200))],
    # Courses: learners act on their own enrolments; staff pages for editors and admins.
    "courses:dashboard": [P(signed_in(200))],
    "courses:enrol": [
        P(signed_in(302), method="POST", course_id="course"),
        P(everyone(405), course_id="course"),  # POST only
    ],
    "courses:unenrol": [P(signed_in(302), method="POST", course_id="course")],
    "courses:lesson_done": [P(signed_in(302), method="POST", lesson_id="lesson")],
    "courses:low_data": [P(everyone(302), method="POST")],
    "courses:reminder_opt_out": [
        P(everyone(200), token="reminder_token"),  # the token is the credential
        P(everyone(400), token=lit("gia-mao")),
    ],
    "courses:staff_courses": [P(signed_in(403, **both(COURSE_STAFF, 200)))],
    "courses:staff_report": [P(signed_in(403, **both(COURSE_STAFF, 200)), course_id="course")],
    "courses:staff_report_csv": [P(signed_in(403, **both(COURSE_STAFF, 200)), course_id="course")],
    "courses:staff_report_xlsx": [P(signed_in(403, **both(COURSE_STAFF, 200)), course_id="course")],
    "courses:staff_bulk_enrol": [P(signed_in(403, **both(COURSE_STAFF, 200)), course_id="course")],
    # Indicators: the units a role sees (units_visible_to); the nation for nationwide roles.
    "indicators:home": [
        P(signed_in(200, **both(TEAM, 302), **both(OVER_C1, 302))),
    ],
    "indicators:nation": [P(signed_in(404, **both(NATIONWIDE, 200)))],
    "indicators:nation_export": [P(signed_in(404, **both(NATIONWIDE, 200)), fmt=lit("csv"))],
    "indicators:unit": [
        P(signed_in(404, **both(OVER_P1, 200)), unit_id="p1"),
        P(signed_in(404, **both(OVER_C1, 200)), unit_id="c1"),
        P(signed_in(404, **both(OVER_C1, 200), **both(TEAM, 200)), unit_id="v1a"),
        P(signed_in(404, **both(OVER_C1, 200)), unit_id="v1b"),
        P(signed_in(404, **both(NATIONWIDE, 200)), unit_id="p2"),
    ],
    "indicators:list": [
        P(signed_in(404, **both(OVER_C1, 200), **both(TEAM, 200)), unit_id="v1a"),
        P(signed_in(404, **both(NATIONWIDE, 200)), unit_id="v3"),
    ],
    "indicators:export": [
        P(signed_in(404, **both(OVER_C1, 200)), unit_id="c1", fmt=lit("csv")),
        P(signed_in(404, **both(NATIONWIDE, 200)), unit_id="c3", fmt=lit("xlsx")),
    ],
    "indicators:targets": [
        P(signed_in(404, **both(OVER_C1, 200)), unit_id="c1"),
        P(signed_in(404, **both(NATIONWIDE, 200)), unit_id="p2"),
        P(signed_in(404), unit_id="v1a"),  # villages have no targets
    ],
    "indicators:team": [
        P(signed_in(404, **both(OVER_C1, 200), **both(TEAM, 200)), unit_id="v1a"),
        P(signed_in(404, **both(NATIONWIDE, 200)), unit_id="v3"),
    ],
    # Figures from before the 2025 reform: national officers, and province officers for
    # their own province (legacy_import_allowed; the admin role is not named there).
    "indicators:legacy_import": [
        P(signed_in(404, province_officer=200, national_officer=200), unit_id="p1"),
        P(signed_in(404, national_officer=200), unit_id="p2"),
        P(signed_in(404), unit_id="c1"),  # a commune: provinces only
    ],
    # The monthly review is the commune officer's own task (communes_reviewed_by).
    "indicators:review": [
        P(signed_in(404, commune_officer=200), commune_id="c1"),
        P(signed_in(404), commune_id="c3"),
    ],
    # Places: the public lookup; villages are kept by officers over the commune.
    "places:lookup": [P(everyone(200))],
    "places:commune_list": [P(signed_in(200))],  # only one's own communes (maybe none)
    "places:village_list": [
        P(signed_in(403, **both(OVER_C1, 200)), commune_id="c1"),
        P(signed_in(403, **both(NATIONWIDE, 200)), commune_id="c3"),
    ],
    "places:village_create": [
        P(signed_in(403, **both(OVER_C1, 200)), commune_id="c1"),
        P(signed_in(403, **both(NATIONWIDE, 200)), commune_id="c3"),
    ],
    "places:village_import": [
        P(signed_in(403, **both(OVER_C1, 200)), commune_id="c1"),
        P(signed_in(403, **both(NATIONWIDE, 200)), commune_id="c3"),
    ],
    "places:village_merge": [
        P(signed_in(403, **both(OVER_C1, 200)), commune_id="c1"),
        P(signed_in(403, **both(NATIONWIDE, 200)), commune_id="c3"),
    ],
    "places:village_split": [
        P(signed_in(403, **both(OVER_C1, 200)), commune_id="c1", village_id="v1a"),
        P(signed_in(403, **both(NATIONWIDE, 200)), commune_id="c3", village_id="v3"),
        # A village of another commune through one's own commune: not found.
        P(signed_in(403, **both(OVER_C1, 404)), commune_id="c1", village_id="v3"),
    ],
    # Personal data (lms.privacy): the notice is public, one's own data one's own; the
    # request queue and exports of another person for privacy admins (platform admins).
    "privacy:notice": [P(everyone(200))],
    "privacy:my_data": [P(signed_in(200))],
    "privacy:requests": [P(signed_in(403, admin=200))],
    "privacy:request_handle": [
        P(signed_in(403, admin=404), method="POST", request_id=lit(999999)),
        P(everyone(405), request_id=lit(999999)),
    ],
    "privacy:person_export": [
        # No purpose given: the admin is sent back to write one; nothing is exported.
        P(signed_in(403, admin=302), method="POST", user_id="staff_out"),
        P(everyone(405), user_id="staff_out"),
    ],
    # The audit log (lms.audit): platform administrators only (user_can_read_audit).
    "audit:list": [P(signed_in(403, admin=200))],
    "audit:export": [
        P(signed_in(403, admin=200), fmt=lit("csv")),
        P(signed_in(403, admin=404), fmt=lit("pdf")),
    ],
    # Quizzes: one's own attempts; the question bank and statistics by permission.
    "quizzes:start": [P(signed_in(200), quiz_id="quiz")],
    "quizzes:attempt": [P(signed_in(404, learner=200), attempt_id="attempt")],
    # The attempt is not graded yet: its owner is sent back to it.
    "quizzes:review": [P(signed_in(404, learner=302), attempt_id="attempt")],
    "quizzes:item_statistics": [P(signed_in(403, admin=200), quiz_id="quiz")],
    "quizzes:questions_import": [P(signed_in(403, admin=200))],
    "quizzes:questions_export": [P(signed_in(403, admin=200), query="format=gift")],
    # Mandatory training: one's own; managers (training managers, admins) their agencies.
    "training:mine": [P(signed_in(200))],
    "training:certificate": [
        P(signed_in(404, civil_servant=200), code="training_certificate"),
    ],
    "training:manage": [P(signed_in(403, **both(MANAGERS, 200)))],
    "training:staff": [P(signed_in(403, **both(MANAGERS, 200)))],
    "training:staff_import": [P(signed_in(403, **both(MANAGERS, 200)))],
    "training:person": [
        P(signed_in(403, **both(MANAGERS, 200)), user_id="staff_in"),
        P(signed_in(403, training_manager=404, admin=200), user_id="staff_out"),
    ],
    "training:positions": [P(signed_in(403, **both(MANAGERS, 200)))],
    "training:position": [
        P(signed_in(403, **both(MANAGERS, 200)), position_id="position_in"),
        P(signed_in(403, training_manager=404, admin=200), position_id="position_out"),
    ],
    "training:plans": [P(signed_in(403, **both(MANAGERS, 200)))],
    "training:plan_new": [P(signed_in(403, **both(MANAGERS, 200)))],
    "training:plan": [
        P(signed_in(403, **both(MANAGERS, 200)), plan_id="plan_in"),
        P(signed_in(403, training_manager=404, admin=200), plan_id="plan_out"),
    ],
    "training:plan_export": [
        P(signed_in(403, **both(MANAGERS, 200)), plan_id="plan_in"),
        P(signed_in(403, training_manager=404, admin=200), plan_id="plan_out"),
    ],
    "training:assignment": [
        P(signed_in(403, **both(MANAGERS, 200)), plan_id="plan_in", assignment_id="assignment_in"),
        P(signed_in(403, training_manager=404, admin=200),
          plan_id="plan_out", assignment_id="assignment_out"),
        # An assignment of another plan through a plan one sees: not found.
        P(signed_in(403, **both(MANAGERS, 404)), plan_id="plan_in", assignment_id="assignment_out"),
    ],
    "training:session_new": [P(signed_in(403, **both(MANAGERS, 200)))],
}

# --- A sample of Wagtail's admin, Django's admin and allauth ------------------------------
# Wagtail admin: editors (the "Editors" group has wagtailadmin.access_admin) and admins in;
# everybody else, signed in or not, is sent to the login page (WAGTAILADMIN_LOGIN_URL).
SAMPLE: dict[str, list[P]] = {
    "/admin/": [P(everyone(LOGIN, editor=200, admin=200))],
    "/admin/pages/": [P(everyone(LOGIN, editor=200, admin=200))],
    "/django-admin/": [P(everyone(302, admin=200))],
    "/accounts/password/reset/": [P(everyone(200))],
    "/accounts/logout/": [P(everyone(302, **both(SIGNED_IN, 200)))],
    "/accounts/email/": [P(signed_in(200))],
}


# --- The JSON API --------------------------------------------------------------------------
# Bodies are the smallest valid ones; "json" marks a JSON body.
API: dict[str, list[P]] = {
    "GET /api/v1/me": [P(api_signed_in(200))],
    "GET /api/v1/csrf": [P(everyone(200))],
    "GET /api/v1/tokens": [P(api_signed_in(200))],
    # A token cannot mint more tokens: from the session only.
    "POST /api/v1/tokens": [P(api_signed_in(201), data={"name": "Máy tính"}, bearer=everyone(401))],
    "DELETE /api/v1/tokens/{token_id}": [
        P(api_signed_in(404, admin=204), token_id="token_admin"),  # one's own token only
    ],
    "GET /api/v1/places/units": [P(everyone(200))],
    "GET /api/v1/places/units/{unit_id}": [P(everyone(200), unit_id="c3")],
    "GET /api/v1/places/successions": [P(everyone(200), query="q=xa")],
    "GET /api/v1/frameworks": [P(everyone(200))],
    "GET /api/v1/frameworks/{framework_id}": [P(everyone(200), framework_id="framework_code")],
    "GET /api/v1/frameworks/{framework_id}/case": [P(everyone(200), framework_id="framework_code")],
    # Only staff with assessments.add_framework import (the admin; an empty package: 400).
    "POST /api/v1/frameworks": [P(api_signed_in(403, admin=400), data={}, query="dry_run=true")],
    "GET /api/v1/self-assessment": [P(api_signed_in(200))],
    "POST /api/v1/self-assessment/steps/{step}": [
        # Starts (or resumes) one's own run and saves nothing: no answers given.
        P(api_signed_in(200), data={"answers": {}}, step="selfassessment_step"),
    ],
    "POST /api/v1/self-assessment/complete": [P(api_signed_in(409))],  # no run open
    "GET /api/v1/profile": [P(api_signed_in(200))],
    "GET /api/v1/courses/": [P(everyone(200))],
    "GET /api/v1/courses/mine": [P(api_signed_in(200))],
    "GET /api/v1/courses/{course_id}": [P(everyone(200), course_id="course")],
    "POST /api/v1/courses/{course_id}/enrolment": [
        P(api_signed_in(201, learner=409), course_id="course"),  # the learner already is
    ],
    "DELETE /api/v1/courses/{course_id}/enrolment": [
        # One's own enrolment only: not enrolled, or (the learner) completed: a clear 400.
        P(api_signed_in(400), course_id="course"),
    ],
    "POST /api/v1/courses/lessons/{lesson_id}/complete": [
        P(api_signed_in(403, learner=200), data={"seconds": 10}, lesson_id="lesson"),  # not enrolled
    ],
    "POST /api/v1/quizzes/{quiz_id}/attempts": [P(api_signed_in(200), quiz_id="quiz")],
    "GET /api/v1/quizzes/attempts/{attempt_id}": [P(api_signed_in(404, learner=200), attempt_id="attempt")],
    "PUT /api/v1/quizzes/attempts/{attempt_id}/responses/{question_id}": [
        P(api_signed_in(404, learner=200), attempt_id="attempt", question_id="question",
          data={"answer": {"choices": []}}),
    ],
    "POST /api/v1/quizzes/attempts/{attempt_id}/submit": [
        P(api_signed_in(404, learner=200), attempt_id="attempt"),
    ],
    "GET /api/v1/quizzes/attempts/{attempt_id}/review": [
        P(api_signed_in(404, learner=409), attempt_id="attempt"),  # not submitted yet
    ],
    "GET /api/v1/quizzes/{quiz_id}/statistics": [P(api_signed_in(403, admin=200), quiz_id="quiz")],
    "GET /api/v1/certificates/mine": [P(api_signed_in(200))],
    "GET /api/v1/certificates/{code}": [P(everyone(200), code="certificate")],
    "GET /api/v1/certificates/{code}/badge": [P(everyone(200), code="certificate")],
    "GET /api/v1/training/assignments": [P(api_signed_in(200))],
    "GET /api/v1/training/plans/{plan_id}/assignments": [
        P(api_signed_in(403, **both(MANAGERS, 200)), plan_id="plan_in"),
        P(api_signed_in(403, training_manager=404, admin=200), plan_id="plan_out"),
    ],
    "GET /api/v1/compliance/agencies/{agency_id}": [
        P(api_signed_in(404, **both(COMPLIANCE_S1, 200)), agency_id="s1"),
        P(api_signed_in(404, **both(NATIONWIDE, 200)), agency_id="s2"),
    ],
    # The visit app: team members only (a device token or the session).
    # A personal API token is not accepted here: the session or a device token only.
    "POST /api/v1/teams/devices": [
        P(api_signed_in(403, **both(TEAM, 201)), data={"name": "Điện thoại"}, bearer=everyone(401)),
    ],
    "DELETE /api/v1/teams/devices/{device_id}": [
        P(api_signed_in(404, team_member=204), device_id="device_in", bearer=everyone(401)),  # one's own
        P(api_signed_in(404), device_id="device_out", bearer=everyone(401)),
    ],
    "GET /api/v1/teams/sync-data": [P(api_signed_in(403, **both(TEAM, 200)), bearer=everyone(401))],
    "POST /api/v1/visits/sync": [
        P(api_signed_in(403, **both(TEAM, 200)), data={"visits": []}, bearer=everyone(401)),
    ],
    "GET /api/v1/indicators/": [P(api_signed_in(200))],
    "GET /api/v1/indicators/figures": [
        P(api_signed_in(404, **both(NATIONWIDE, 200)), query="indicator={indicator}&period=2026"),
        P(api_signed_in(404, **both(OVER_C1, 200), **both(TEAM, 200)),
          query="indicator={indicator}&period=2026&unit={v1a}"),
        P(api_signed_in(404, **both(NATIONWIDE, 200)), query="indicator={indicator}&period=2026&unit={v3}"),
    ],
}
