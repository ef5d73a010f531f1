"""Crosswalk: evidence recorded against a TT02 competence informs its exact match in
DigComp (and the other way round), shown on the profile as "từ khung TT02 1.1"; other
relations carry nothing; a record is never counted twice nor changed."""

import pytest
from django.urls import reverse

from assessments.loading import frameworks_load
from assessments.models import Competence, CompetenceMapping, Evidence, TargetLevel, TargetProfile
from assessments.selectors import RULE_VERIFIED, competence_levels, exact_matches, profile_gaps
from assessments.services import evidence_correct, evidence_record
from lms.accounts.models import Role
from lms.accounts.services import role_assign
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def loaded():
    frameworks_load()


def competence(code: str) -> Competence:
    framework, local = code.split(":")
    return Competence.objects.select_related("framework").get(framework__code=framework, code=local)


def level_of(person, code: str, **kwargs):
    c = competence(code)
    return competence_levels(person=person, competences=[c], **kwargs).get(c.pk)


def test_the_loaded_crosswalk_pairs_tt02_and_digcomp_both_ways():
    tt02, digcomp = competence("tt02-2025:1.1"), competence("digcomp-2.2:1.1")
    matches = exact_matches(competence_ids=[tt02.pk, digcomp.pk])
    assert matches[tt02.pk] == {digcomp.pk} and matches[digcomp.pk] == {tt02.pk}


def test_tt02_evidence_informs_digcomp_and_says_where_it_comes_from():
    person = UserFactory()
    record = evidence_record(person=person, competence_code="tt02-2025:1.1", level=5, method="quiz",
                             source_type="quizzes.attempt", source_id=41, source_label="Kiểm tra — lần 1")
    derived = level_of(person, "digcomp-2.2:1.1")
    assert derived.level == 5 and derived.rule == RULE_VERIFIED
    assert derived.decisive == [record] and derived.decisive[0].via == record.competence
    record.refresh_from_db()
    assert record.competence.code == "1.1" and record.competence.framework.code == "tt02-2025"  # unchanged
    # The record's own competence shows it as its own (no "via").
    own = level_of(person, "tt02-2025:1.1")
    assert own.level == 5 and not getattr(own.decisive[0], "via", None)
    # Without the crosswalk, DigComp 1.1 has nothing.
    assert level_of(person, "digcomp-2.2:1.1", crosswalk=False) is None


def test_digcomp_evidence_informs_tt02_too():
    person = UserFactory()
    evidence_record(person=person, competence_code="digcomp-2.2:2.1", level=4, method="course_completed")
    derived = level_of(person, "tt02-2025:2.1")
    assert derived.level == 4 and derived.decisive[0].via.qualified_code == "digcomp-2.2:2.1"


def test_the_higher_of_own_and_crosswalked_evidence_wins_and_both_are_listed():
    person = UserFactory()
    own = evidence_record(person=person, competence_code="digcomp-2.2:1.2", level=3, method="quiz")
    other = evidence_record(person=person, competence_code="tt02-2025:1.2", level=6, method="observed_visit")
    derived = level_of(person, "digcomp-2.2:1.2")
    assert derived.level == 6 and derived.decisive == [other] and derived.considered == [own]


def test_only_exact_matches_carry_evidence():
    person = UserFactory()
    CompetenceMapping.objects.create(source=competence("tt02-2025:3.1"), target=competence("digcomp-2.2:3.2"),
                                     relation=CompetenceMapping.Relation.RELATED)
    evidence_record(person=person, competence_code="tt02-2025:3.1", level=5, method="quiz")
    assert level_of(person, "digcomp-2.2:3.2") is None
    assert level_of(person, "digcomp-2.2:3.1").level == 5


def test_the_same_source_under_both_codes_counts_once():
    # A quiz whose questions carry both codes writes one record under each.
    person = UserFactory()
    for code in ("digcomp-2.2:4.2", "tt02-2025:4.2"):
        evidence_record(person=person, competence_code=code, level=4, method="quiz",
                        source_type="quizzes.attempt", source_id=9)
    derived = level_of(person, "digcomp-2.2:4.2")
    assert len(derived.decisive) == 1 and not derived.considered


def test_a_correction_of_the_tt02_record_also_holds_for_digcomp():
    person, staff = UserFactory(), UserFactory()
    role_assign(user=staff, role=Role.PLATFORM_ADMIN)
    wrong = evidence_record(person=person, competence_code="tt02-2025:5.1", level=7, method="quiz")
    evidence_correct(staff=staff, evidence=wrong, level=2, note="Câu hỏi gắn nhầm.")
    derived = level_of(person, "digcomp-2.2:5.1")
    assert derived.level == 2 and derived.superseded == [wrong]


def test_all_competences_at_once_include_those_informed_only_through_the_crosswalk():
    person = UserFactory()
    evidence_record(person=person, competence_code="tt02-2025:1.3", level=3, method="quiz")
    levels = competence_levels(person=person)
    assert levels[competence("digcomp-2.2:1.3").pk].level == 3
    assert levels[competence("tt02-2025:1.3").pk].level == 3


def test_gaps_see_crosswalked_evidence():
    person = UserFactory()
    target = TargetProfile.objects.create(framework=competence("digcomp-2.2:1.1").framework, code="cv-2026",
                                          name="Công chức 2026")
    TargetLevel.objects.create(target=target, competence=competence("digcomp-2.2:1.1"), level=3)
    assert [g.competence_code for g in profile_gaps(person=person, target=target)] == ["digcomp-2.2:1.1"]
    evidence_record(person=person, competence_code="tt02-2025:1.1", level=3, method="quiz")
    assert profile_gaps(person=person, target=target) == []


def test_profile_page_says_from_tt02_and_api_names_it(client, django_assert_max_num_queries):
    person = UserFactory()
    evidence_record(person=person, competence_code="tt02-2025:1.1", level=5, method="quiz",
                    source_label="Kiểm tra tra cứu thông tin — lần 2")
    client.force_login(person)
    client.get(reverse("assessments:profile"))  # the site's own settings, cached once per process
    with django_assert_max_num_queries(8):
        html = client.get(reverse("assessments:profile")).content.decode()
    section = html[html.index('id="vi-sao-digcomp-22-11"'):]
    section = section[: section.index("</details>")]
    assert "bậc 5 — vì sao?" in section and "từ khung TT02 1.1" in section
    body = client.get("/api/v1/profile").json()
    row = next(r for r in body["competences"] if r["competence"] == "digcomp-2.2:1.1")
    assert row["level"] == 5 and row["decisive"][0]["via"] == "tt02-2025:1.1"
    assert Evidence.objects.filter(person=person).count() == 1  # nothing was copied
