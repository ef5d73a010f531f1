"""What the quiz engine announces to the rest of the project.

`attempt_graded` is sent by `services.attempt_submit` (so also for a time-out) once the
transaction that graded an attempt has committed, exactly when that call graded it —
never for a call that found the attempt already graded. Receivers get the keyword
arguments `attempt` (the graded Attempt), `attempt_id`, `quiz_id`, `learner_id` and
`passed`. They run after commit, so a receiver that fails cannot undo or fail the
grading; its error is logged. Receivers are connected in their app's `ready()`:
competence evidence (assessments.quizzes.evidence) and the courses' final test
(courses.final_test) — the quiz engine imports neither.
"""

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

attempt_graded = Signal()


def attempt_graded_send(*, attempt) -> None:
    """Send `attempt_graded` for `attempt`, logging (not raising) receivers' errors."""
    results = attempt_graded.send_robust(
        sender=type(attempt),
        attempt=attempt,
        attempt_id=attempt.pk,
        quiz_id=attempt.quiz_id,
        learner_id=attempt.learner_id,
        passed=bool(attempt.passed),
    )
    for receiver, result in results:
        if isinstance(result, Exception):
            logger.error(
                "attempt_graded receiver %r failed for attempt %s", receiver, attempt.pk, exc_info=result
            )
