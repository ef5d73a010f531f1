from lms.jobs.registry import job_handler

from .services import retention_apply


# Not atomic: each batch of deletions commits on its own (a long run holds no lock for
# hours, and a run cut short keeps what it did).
@job_handler("audit.retention_apply", atomic=False, lease_seconds=3600)
def retention_apply_job() -> None:
    retention_apply()
