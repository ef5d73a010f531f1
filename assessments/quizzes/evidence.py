"""Competence evidence from graded quiz attempts (issue 4: competences take quiz grades).

The rule (`quiz_evidence_record`): for each framework competence tagged on the questions
of a graded attempt, when the learner earned at least EVIDENCE_SHARE_PERCENT % of the
points of that competence's questions in this attempt (points as frozen on the paper;
an unanswered question earns 0), record evidence method "quiz" at the highest level
among those questions, dated the day of submission, with the attempt as its source
(source_type "quizzes.attempt", source_id the attempt id, label "quiz title — lần n",
stored in Vietnamese and shown in the reader's language).

When: a receiver of `assessments.quizzes.signals.attempt_graded` (connected in
QuizzesConfig.ready), which the grading service sends once the grading transaction has
committed — grading never fails or rolls back because of evidence. Idempotent: a
competence that already has evidence from this attempt is skipped, so a re-delivered
signal writes nothing twice.
"""

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from assessments.labels import evidence_format_register
from assessments.models import Competence, Evidence
from assessments.quizzes.models import Attempt, Question, Response
from assessments.quizzes.signals import attempt_graded
from assessments.services import evidence_record

logger = logging.getLogger(__name__)

EVIDENCE_SHARE_PERCENT = Decimal("80")
SOURCE_TYPE = "quizzes.attempt"
# Stored in Vietnamese, shown in the reader's language (assessments.labels.evidence_text).
LABEL = gettext_noop("%(title)s — lần %(n)s")


def quiz_evidence_record(*, attempt_id: int) -> list[Evidence]:
    """Record "quiz" evidence for a graded attempt (rules in the module docstring).
    Returns the records written now (empty when the attempt is not graded, has no
    tagged questions, or its evidence was already recorded)."""
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update()
            .select_related("quiz", "learner")
            .filter(pk=attempt_id, state__in=Attempt.GRADED_STATES)
            .first()
        )
        if attempt is None:
            return []
        points = {int(item["question"]): Decimal(str(item["points"])) for item in attempt.layout}
        if not points:
            return []
        rows = Response.objects.filter(attempt=attempt).values_list("question_id", "score")
        earned = {question_id: score or Decimal("0") for question_id, score in rows}
        levels = dict(Question.objects.filter(pk__in=points).values_list("id", "level"))
        tags = Question.competences.through.objects.filter(question_id__in=points).values_list(
            "question_id", "competence_id"
        )
        by_competence: dict[int, list[int]] = {}
        for question_id, competence_id in tags:
            by_competence.setdefault(competence_id, []).append(question_id)
        if not by_competence:
            return []
        done = set(
            Evidence.objects.filter(
                person_id=attempt.learner_id, source_type=SOURCE_TYPE, source_id=str(attempt.pk)
            ).values_list("competence_id", flat=True)
        )
        when = timezone.localdate(attempt.submitted_at) if attempt.submitted_at else None
        label = LABEL % {"title": attempt.quiz.title, "n": attempt.number}
        competences = Competence.objects.in_bulk(list(by_competence))
        written = []
        for competence_id, question_ids in sorted(by_competence.items()):
            if competence_id in done:
                continue
            possible = sum(points[q] for q in question_ids)
            got = sum(earned.get(q, Decimal("0")) for q in question_ids)
            if not possible or got * 100 < EVIDENCE_SHARE_PERCENT * possible:
                continue
            level = max(levels[q] for q in question_ids)
            written.append(
                evidence_record(
                    person=attempt.learner,
                    competence=competences[competence_id],
                    level=level,
                    method=Evidence.Method.QUIZ,
                    date=when,
                    source_type=SOURCE_TYPE,
                    source_id=attempt.pk,
                    source_label=label,
                )
            )
        return written


def _attempt_graded(sender, attempt_id: int, **kwargs) -> None:
    try:
        quiz_evidence_record(attempt_id=attempt_id)
    except Exception:
        logger.exception("Could not record quiz evidence for attempt %s", attempt_id)


def connect() -> None:
    """Record evidence once an attempt is graded (QuizzesConfig.ready)."""
    attempt_graded.connect(_attempt_graded, dispatch_uid="quizzes.evidence.attempt_graded")
    evidence_format_register(source_type=SOURCE_TYPE, template=LABEL)
