"""Background jobs (lms.jobs): time-outs of attempts whose learner went away.

`quizzes.attempt_time_out` is queued by attempt_start for deadline + grace;
`quizzes.sweep_timed_out` is the safety net for beat (every few minutes) in case a job
was lost. Both are idempotent: a finished attempt is left as it is.
`quizzes.pending_imports_sweep` (daily) deletes question files uploaded for an import
preview and never confirmed.
"""

from lms.jobs.registry import job_handler

from .formats.services import pending_imports_sweep as _pending_imports_sweep
from .models import Attempt
from .services import attempt_expire_if_due, attempts_time_out_due


@job_handler("quizzes.attempt_time_out")
def attempt_time_out(*, attempt_id: int) -> None:
    attempt = Attempt.objects.filter(pk=attempt_id).first()
    if attempt is not None:
        attempt_expire_if_due(attempt=attempt)


@job_handler("quizzes.sweep_timed_out")
def sweep_timed_out() -> None:
    attempts_time_out_due()


@job_handler("quizzes.pending_imports_sweep", atomic=False)
def pending_imports_sweep() -> None:
    _pending_imports_sweep()
