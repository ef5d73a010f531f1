"""Course completion → competence evidence (issue 4): each competence code on a completed
course gets "course_completed" evidence at the level mapped from the course level."""

import logging

import pytest

from assessments.loading import frameworks_load
from assessments.models import Competence, Evidence
from assessments.selectors import RULE_VERIFIED, competence_levels
from assessments.services import evidence_record
from courses.evidence import course_completion_evidence_record
from courses.models import CourseCompletion
from courses.services import enrolment_create, lesson_complete
from tests.courses.builders import course_build, lessons_of

pytestmark = pytest.mark.django_db
A = "digcomp-2.2:4.2"
B = "digcomp-2.2:1.1"


def competence(code):
    framework, _, short = code.partition(":")
    return Competence.objects.get(framework__code=framework, code=short)


@pytest.fixture(autouse=True)
def loaded():
    frameworks_load()


def complete(course, learner) -> CourseCompletion:
    enrolment_create(learner=learner, course=course)
    for lesson in lessons_of(course):
        lesson_complete(learner=learner, lesson=lesson)
    return CourseCompletion.objects.get(learner=learner, course=course)


@pytest.mark.parametrize(
    ("course_level", "evidence_level"), [("beginner", 2), ("intermediate", 4), ("advanced", 6)]
)
def test_completion_records_evidence_per_code_at_the_mapped_level(
    index, learner, course_level, evidence_level
):
    course = course_build(index=index, lessons_per_module=2, level=course_level, competences=f"{A}\n{B}\n")
    completion = complete(course, learner)

    rows = Evidence.objects.filter(person=learner).order_by("competence__code")
    assert [(r.competence_id, r.level, r.method) for r in rows] == [
        (competence(B).pk, evidence_level, "course_completed"),
        (competence(A).pk, evidence_level, "course_completed"),
    ]
    assert {(r.source_type, r.source_id, r.source_label) for r in rows} == {
        ("courses.coursecompletion", str(completion.pk), course.title)
    }


def test_completion_evidence_raises_the_derived_level_over_a_self_assessment(index, learner):
    evidence_record(person=learner, competence_code=A, level=1, method=Evidence.Method.SELF_ASSESSED)
    course = course_build(index=index, lessons_per_module=1, level="intermediate", competences=A)
    complete(course, learner)

    derived = competence_levels(person=learner, competences=[competence(A)])[competence(A).pk]
    assert (derived.level, derived.rule) == (4, RULE_VERIFIED)
    assert [r.method for r in derived.decisive] == [Evidence.Method.COURSE_COMPLETED]
    assert "khóa học" in derived.explanation


def test_unknown_codes_are_skipped_and_logged(index, learner, caplog):
    course = course_build(index=index, lessons_per_module=1, competences=f"digcomp-2.2:9.9\n{A}")
    with caplog.at_level(logging.WARNING, logger="courses.evidence"):
        complete(course, learner)
    assert list(Evidence.objects.filter(person=learner).values_list("competence_id", flat=True)) == [
        competence(A).pk
    ]
    assert "digcomp-2.2:9.9" in caplog.text


def test_recording_again_writes_nothing_twice(index, learner):
    course = course_build(index=index, lessons_per_module=1, competences=f"{A}\n{B}")
    completion = complete(course, learner)
    assert Evidence.objects.filter(person=learner).count() == 2

    assert course_completion_evidence_record(completion=completion) == []
    assert Evidence.objects.filter(person=learner).count() == 2


def test_a_course_without_competences_records_nothing(index, learner):
    course = course_build(index=index, lessons_per_module=1)
    complete(course, learner)
    assert not Evidence.objects.filter(person=learner).exists()
