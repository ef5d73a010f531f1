from lms.jobs.registry import job_handler

from .services import retention_apply


@job_handler("privacy.retention_apply", atomic=True)
def retention_apply_job() -> None:
    retention_apply()
