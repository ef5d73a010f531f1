"""The shared world of the authorisation matrix, built once per test module through the
services production uses (and the factories and builders of the other test packages).

Places: province P1 → communes C1 (villages V1a, V1b) and C2 (village V2); province P2 →
commune C3 (village V3). Agencies: S1 → division D1; S2 → division D2 (unrelated).
One user per role, scoped "inside" (P1, C1, V1a, S1, D1); a second set of objects sits
"outside" every limited scope (P2, C3, V3, S2, D2).

`objects` maps a short name to each object the matrix refers to (see matrix.py).
"""

import datetime
import uuid

from django.contrib.auth.models import Group
from django.utils import timezone

from assessments.loading import frameworks_load
from assessments.models import Competence
from assessments.quizzes.models import Question
from assessments.quizzes.services import attempt_start
from assessments.selectors import instrument_current
from assessments.selfassessment_loading import selfassessment_load
from assessments.services import evidence_recognise, selfassessment_complete, selfassessment_start
from community_teams.indicators.models import IndicatorDefinition
from community_teams.services import device_register, household_create, resident_create, team_create
from community_teams.sync import visit_batch_sync
from courses import reminders
from courses import services as course_services
from courses.certificates.models import Certificate
from courses.training.models import PlanAssignment, TrainingCertificate
from courses.training.services import employment_start, plan_create, position_create
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from lms.core.services import api_token_create
from tests.assessments.quizzes.builders import bank_with_quiz
from tests.assessments.test_selfassessment import answer_all
from tests.courses.builders import course_build, index_build, lessons_of
from tests.factories import UserFactory, make_agency, make_commune, make_province, make_village

ROLES = (
    "anonymous",
    "learner",
    "civil_servant",
    "team_member",
    "team_leader",
    "commune_officer",
    "province_officer",
    "national_officer",
    "training_manager",
    "editor",
    "admin",
)
SINCE = datetime.date(2024, 1, 1)


def _household(by, village, label):
    household = household_create(
        by=by, village=village, label=label, address_hint="Xóm Đông", children_under_16=0,
        consent_given=True, consent_purpose="Hỗ trợ chuyển đổi số",
    )
    resident = resident_create(by=by, household=household, birth_year=1980, sex="female")
    return household, resident


def _visit(member, household, resident):
    item = {
        "id": str(uuid.uuid4()),
        "household_id": str(household.pk),
        "visited_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "resident_ids": [str(resident.pk)],
        "activities": [
            {"code": "install_vneid", "outcome": "done", "reason": "", "resident_id": str(resident.pk)}
        ],
        "note": "",
        "location": None,
        "replaces": None,
    }
    result = visit_batch_sync(member=member, device=None, items=[item]).results[0]
    assert result.status == "created", result.detail


def world_build() -> dict:
    o: dict = {}
    # --- Places ---------------------------------------------------------------------------
    o["p1"] = make_province("Tỉnh Trong")
    o["c1"] = make_commune(o["p1"], "Xã Trong")
    o["v1a"] = make_village(o["c1"], "Thôn Trong A")
    o["v1b"] = make_village(o["c1"], "Thôn Trong B")
    o["c2"] = make_commune(o["p1"], "Xã Bên")
    o["v2"] = make_village(o["c2"], "Thôn Bên")
    o["p2"] = make_province("Tỉnh Ngoài")
    o["c3"] = make_commune(o["p2"], "Xã Ngoài")
    o["v3"] = make_village(o["c3"], "Thôn Ngoài")
    # --- Agencies -------------------------------------------------------------------------
    o["s1"] = make_agency("Sở Trong")
    o["d1"] = make_agency("Phòng Trong", parent=o["s1"])
    o["s2"] = make_agency("Sở Ngoài")
    o["d2"] = make_agency("Phòng Ngoài", parent=o["s2"])

    # --- People, one per role -------------------------------------------------------------
    u = {role: UserFactory(username=f"authz-{role}") for role in ROLES if role != "anonymous"}
    admin = u["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    role_assign(user=admin, role=Role.PLATFORM_ADMIN, valid_from=SINCE)
    role_assign(user=u["editor"], role=Role.CONTENT_EDITOR, valid_from=SINCE)
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        u["editor"].groups.add(editors)
    role_assign(user=u["national_officer"], role=Role.NATIONAL_OFFICER, valid_from=SINCE)
    role_assign(user=u["province_officer"], role=Role.PROVINCE_OFFICER, unit=o["p1"], valid_from=SINCE)
    role_assign(user=u["commune_officer"], role=Role.COMMUNE_OFFICER, unit=o["c1"], valid_from=SINCE)
    role_assign(user=u["training_manager"], role=Role.TRAINING_MANAGER, agency=o["s1"], valid_from=SINCE)
    o["team_in"] = team_create(by=admin, village=o["v1a"], name="Tổ Trong A")
    o["team_out"] = team_create(by=admin, village=o["v3"], name="Tổ Ngoài")
    role_assign(user=u["team_member"], role=Role.TEAM_MEMBER, unit=o["v1a"], valid_from=SINCE)
    role_assign(user=u["team_leader"], role=Role.TEAM_LEADER, unit=o["v1a"], valid_from=SINCE)
    member_out = UserFactory(username="authz-member-out")
    role_assign(user=member_out, role=Role.TEAM_MEMBER, unit=o["v3"], valid_from=SINCE)

    # --- Courses, quiz, certificate -------------------------------------------------------
    index = index_build()
    o["course"] = course_build(index=index, lessons_per_module=2)
    o["lesson"] = lessons_of(o["course"])[0]
    learner = u["learner"]
    enrolment = course_services.enrolment_create(learner=learner, course=o["course"])
    o["reminder_token"] = reminders.opt_out_token(enrolment_id=enrolment.pk)
    for lesson in lessons_of(o["course"]):
        course_services.lesson_complete(learner=learner, lesson=lesson)
    o["certificate"] = Certificate.objects.get(learner=learner, course=o["course"])
    quiz, _questions, _category = bank_with_quiz()
    o["quiz"] = quiz
    o["attempt"] = attempt_start(quiz=quiz, learner=learner)
    multiple = Question.objects.filter(
        pk__in=[i["question"] for i in o["attempt"].layout], type=Question.Type.MULTIPLE_CHOICE
    )
    o["question"] = multiple.values_list("pk", flat=True).first()

    # --- Frameworks, self-assessment, evidence --------------------------------------------
    frameworks_load()
    selfassessment_load()
    o["framework_code"] = "digcomp-2.2"
    instrument = instrument_current()
    o["selfassessment_step"] = instrument.steps[0]["code"]
    run = selfassessment_start(person=learner, instrument=instrument)
    answer_all(run)
    o["selfassessment_learner"] = selfassessment_complete(run=run)

    # --- Training: positions, staff, plans ------------------------------------------------
    o["position_in"] = position_create(agency=o["s1"], code="cv-trong", name="Chuyên viên")
    o["position_out"] = position_create(agency=o["s2"], code="cv-ngoai", name="Chuyên viên")
    employment_start(user=u["civil_servant"], agency=o["d1"], category="cong_chuc", valid_from=SINCE)
    staff_out = UserFactory(username="authz-staff-out")
    employment_start(user=staff_out, agency=o["d2"], category="cong_chuc", valid_from=SINCE)
    year = timezone.localdate().year
    o["plan_in"] = plan_create(name="Kế hoạch Trong", year=year, agency=o["s1"],
                               deadline=datetime.date(year, 12, 31), courses=[o["course"]])
    o["plan_out"] = plan_create(name="Kế hoạch Ngoài", year=year, agency=o["s2"],
                                deadline=datetime.date(year, 12, 31), courses=[o["course"]])
    o["assignment_in"] = PlanAssignment.objects.get(plan=o["plan_in"], user=u["civil_servant"])
    o["assignment_out"] = PlanAssignment.objects.get(plan=o["plan_out"], user=staff_out)
    o["staff_in"] = u["civil_servant"]
    o["staff_out"] = staff_out
    PlanAssignment.objects.filter(pk=o["assignment_in"].pk).update(
        status=PlanAssignment.Status.COMPLETED, completed_at=timezone.now())
    o["training_certificate"] = TrainingCertificate.objects.create(
        assignment=o["assignment_in"], code="AUTHZTRAIN01", issued_at=timezone.now(),
        learner_name="Người Trong", plan_name="Kế hoạch Trong", year=year, agency_name="Phòng Trong")
    competence = Competence.objects.filter(framework__code=o["framework_code"]).order_by("pk").first()
    for key, person in (("evidence_in", u["civil_servant"]), ("evidence_out", staff_out)):
        o[key] = evidence_recognise(staff=admin, person=person, level=2, competence=competence)

    # --- Community teams: households, a visit, a device -----------------------------------
    o["household_in"], o["resident_in"] = _household(u["team_member"], o["v1a"], "Hộ Trong")
    o["household_out"], o["resident_out"] = _household(member_out, o["v3"], "Hộ Ngoài")
    _visit(u["team_member"], o["household_in"], o["resident_in"])
    _visit(member_out, o["household_out"], o["resident_out"])
    o["device_in"], o["device_in_token"] = device_register(user=u["team_member"], name="Máy Trong")
    o["device_out"], _token = device_register(user=member_out, name="Máy Ngoài")
    o["token_admin"], _secret = api_token_create(user=admin, name="Khoá của quản trị")
    o["indicator"] = IndicatorDefinition.objects.filter(active=True).order_by("code").first().code
    o["users"] = u
    return o
