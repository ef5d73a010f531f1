"""Evidence: recorded through one service, never overwritten, current levels derived by
documented rules and explained; target profiles and gaps."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from assessments.loading import frameworks_load
from assessments.models import Competence, Evidence, TargetLevel, TargetProfile
from assessments.selectors import (
    RULE_NONE,
    RULE_SELF,
    RULE_SELF_CAPPED,
    RULE_VERIFIED,
    competence_levels,
    profile_gaps,
)
from assessments.services import evidence_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
C = "digcomp-2.2:4.2"


@pytest.fixture(autouse=True)
def loaded():
    frameworks_load()


def derived(person, code=C):
    competence = Competence.objects.get(framework__code=code.split(":")[0], code=code.split(":")[1])
    return competence_levels(person=person, competences=[competence]).get(competence.pk)


def test_evidence_record_by_qualified_code():
    person = UserFactory()
    e = evidence_record(
        person=person,
        competence_code=C,
        level=3,
        method="quiz",
        source_label="Bài kiểm tra An toàn",
        source_type="quizzes.attempt",
        source_id=12,
    )
    assert (e.competence.qualified_code, e.level, e.source_id, e.date) == (C, 3, "12", dt.date.today())


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"competence_code": "digcomp-2.2:9.9"}, "Không có năng lực"),
        ({"competence_code": "4.2"}, "Không có năng lực"),
        ({"level": 9}, "từ 0 đến 8"),
        ({"level": "cao"}, "từ 0 đến 8"),
        ({"method": "guess"}, "không hợp lệ"),
        ({"date": dt.date.today() + dt.timedelta(days=2)}, "tương lai"),
    ],
)
def test_evidence_record_refuses_bad_input(kwargs, message):
    args = {"person": UserFactory(), "competence_code": C, "level": 2, "method": "quiz"} | kwargs
    with pytest.raises(ValidationError, match=message):
        evidence_record(**args)
    assert not Evidence.objects.exists()


def test_no_evidence_no_level():
    assert derived(UserFactory()) is None


def test_self_assessment_only_counts_the_latest_and_is_capped():
    person = UserFactory()
    old = evidence_record(
        person=person, competence_code=C, level=2, method="self_assessed", date=dt.date(2025, 1, 5)
    )
    d = derived(person)
    assert (d.level, d.rule, d.decisive) == (2, RULE_SELF, [old])
    new = evidence_record(
        person=person, competence_code=C, level=5, method="self_assessed", date=dt.date(2025, 3, 1)
    )
    d = derived(person)
    assert (d.level, d.rule, d.decisive, d.considered) == (4, RULE_SELF_CAPPED, [new], [old])
    assert "bậc 5" in d.explanation and "tối đa đến bậc 4" in d.explanation


def test_verified_evidence_wins_and_a_lower_one_never_pulls_the_level_down():
    person = UserFactory()
    self_e = evidence_record(person=person, competence_code=C, level=3, method="self_assessed")
    quiz = evidence_record(person=person, competence_code=C, level=5, method="quiz")
    evidence_record(person=person, competence_code=C, level=2, method="observed_visit")
    d = derived(person)
    assert (d.level, d.rule, d.decisive) == (5, RULE_VERIFIED, [quiz])
    assert self_e in d.considered and len(d.considered) == 2


def test_verified_below_capped_self_assessment_leaves_the_self_level():
    person = UserFactory()
    evidence_record(person=person, competence_code=C, level=1, method="course_completed")
    evidence_record(person=person, competence_code=C, level=3, method="self_assessed")
    d = derived(person)
    assert (d.level, d.rule) == (3, RULE_SELF)


def test_a_tie_is_decided_by_the_verified_record():
    person = UserFactory()
    evidence_record(person=person, competence_code=C, level=4, method="self_assessed")
    staff = evidence_record(
        person=person, competence_code=C, level=4, method="recognised_by_staff", recorded_by=UserFactory()
    )
    assert derived(person).decisive == [staff]


def test_a_correction_is_a_new_record_and_the_old_one_stays():
    person, officer = UserFactory(), UserFactory()
    wrong = evidence_record(
        person=person, competence_code=C, level=6, method="recognised_by_staff", recorded_by=officer
    )
    fixed = evidence_record(
        person=person,
        competence_code=C,
        level=2,
        method="recognised_by_staff",
        recorded_by=officer,
        supersedes=wrong,
        note="Nhập nhầm bậc",
    )
    d = derived(person)
    assert (d.level, d.decisive, d.superseded) == (2, [fixed], [wrong])
    assert Evidence.objects.get(pk=wrong.pk).level == 6  # never overwritten
    with pytest.raises(ValidationError, match="đã được sửa"):
        evidence_record(person=person, competence_code=C, level=3, method="quiz", supersedes=wrong)
    with pytest.raises(ValidationError, match="cùng người"):
        evidence_record(person=UserFactory(), competence_code=C, level=3, method="quiz", supersedes=fixed)


def test_derived_none_rule_explains_itself():
    from assessments.selectors import DerivedLevel

    assert "Chưa có minh chứng" in DerivedLevel(level=None, rule=RULE_NONE).explanation


def test_profile_gaps_against_a_target():
    person = UserFactory()
    target = TargetProfile.objects.create(
        framework=Competence.objects.get(framework__code="digcomp-2.2", code="1.1").framework,
        code="cong-chuc-2025",
        name="Công chức",
        year=2025,
    )
    for code, level in (("1.1", 3), ("4.2", 4), ("2.1", 2)):
        TargetLevel.objects.create(
            target=target,
            level=level,
            competence=Competence.objects.get(framework__code="digcomp-2.2", code=code),
        )
    evidence_record(person=person, competence_code="digcomp-2.2:1.1", level=3, method="quiz")
    evidence_record(person=person, competence_code=C, level=2, method="self_assessed")
    gaps = {
        g.competence_code: (g.required, g.current, g.missing)
        for g in profile_gaps(person=person, target=target)
    }
    assert gaps == {"digcomp-2.2:4.2": (4, 2, 2), "digcomp-2.2:2.1": (2, None, 2)}
