"""Competence evidence from course completions (issue 4).

Registered with courses.completion.on_course_completed in CoursesConfig.ready, so it runs
inside the transaction that writes a new CourseCompletion (once per completion) and
commits or rolls back with it. Courses import assessments, never the other way round.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.models import Evidence
from assessments.services import competence_by_code, evidence_record
from courses.completion import on_course_completed
from courses.models import CourseCompletion, CoursePage, Level

logger = logging.getLogger(__name__)

SOURCE_TYPE = "courses.coursecompletion"
LEVEL_FOR_COURSE = {Level.BEGINNER: 2, Level.INTERMEDIATE: 4, Level.ADVANCED: 6}


def course_completion_evidence_record(*, completion: CourseCompletion) -> list[Evidence]:
    """Record "course_completed" evidence for each competence code on the completed course.

    Rules: the evidence level comes from the course level — beginner (Cơ bản) → 2,
    intermediate (Trung bình) → 4, advanced (Nâng cao) → 6 (a course shows "at least"
    that level; a quiz or staff can confirm more); dated the day of completion; source
    "courses.coursecompletion" with the completion id and the course title. A code that
    names no loaded competence is skipped and logged, never guessed, and never stops the
    completion. Idempotent: a competence that already has evidence from this completion
    is skipped. Returns the records written now.
    """
    course = (
        CoursePage.objects.filter(pk=completion.course_id).only("id", "title", "level", "competences").first()
    )
    if course is None:
        return []
    level = LEVEL_FOR_COURSE.get(course.level, LEVEL_FOR_COURSE[Level.BEGINNER])
    done = set(
        Evidence.objects.filter(
            person_id=completion.learner_id, source_type=SOURCE_TYPE, source_id=str(completion.pk)
        ).values_list("competence_id", flat=True)
    )
    when = timezone.localdate(completion.completed_at)
    written = []
    for code in dict.fromkeys(course.competence_codes):
        try:
            competence = competence_by_code(code=code)
        except ValidationError:
            logger.warning("Course %s names unknown competence %r; no evidence recorded", course.pk, code)
            continue
        if competence.pk in done:
            continue
        with transaction.atomic():
            written.append(
                evidence_record(
                    person=completion.learner,
                    competence=competence,
                    level=level,
                    method=Evidence.Method.COURSE_COMPLETED,
                    date=when,
                    source_type=SOURCE_TYPE,
                    source_id=completion.pk,
                    source_label=course.title,
                )
            )
        done.add(competence.pk)
    return written


def connect() -> None:
    """Record evidence for each new completion (CoursesConfig.ready)."""
    on_course_completed(course_completion_evidence_record)
