"""Job handlers: plain functions, registered by name, that take ids as keyword arguments.

    from lms.jobs.registry import job_handler

    @job_handler("courses.send_welcome")
    def send_welcome(*, enrolment_id: int) -> None:
        enrolment = Enrolment.objects.get(pk=enrolment_id)
        ...

Put handlers in your app's ``tasks.py``: ``lms.jobs`` imports every app's ``tasks``
module when Django starts, so the registry is complete in the web process (where
``job_enqueue`` checks the name) and in the worker (where ``run_job`` looks it up).

A handler must be idempotent: it may run again after a crash. By default it runs in one
database transaction together with marking the job done, so its database writes happen
exactly once; pass ``atomic=False`` for long handlers that talk to the outside world and
manage their own transactions.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class JobHandler:
    name: str
    func: Callable[..., object]
    max_attempts: int = 5
    lease_seconds: int = 600
    atomic: bool = True


_handlers: dict[str, JobHandler] = {}


def job_handler(
    name: str, *, max_attempts: int = 5, lease_seconds: int = 600, atomic: bool = True
) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Register `func` as the handler of jobs named `name` (``"<app>.<verb>"``).

    `max_attempts` is how many times the job runs before it is marked failed;
    `lease_seconds` is how long a run may take before the sweeper presumes the worker
    dead and runs the job again.
    """
    if max_attempts < 1:
        raise ImproperlyConfigured("max_attempts must be at least 1")
    if lease_seconds < 1:
        raise ImproperlyConfigured("lease_seconds must be at least 1")

    def register(func: Callable[..., object]) -> Callable[..., object]:
        existing = _handlers.get(name)
        qualname = f"{func.__module__}.{func.__qualname__}"
        if existing is not None and f"{existing.func.__module__}.{existing.func.__qualname__}" != qualname:
            raise ImproperlyConfigured(f"Job handler {name!r} is already registered by {existing.func!r}")
        _handlers[name] = JobHandler(
            name=name, func=func, max_attempts=max_attempts, lease_seconds=lease_seconds, atomic=atomic
        )
        return func

    return register


def handler_get(name: str) -> JobHandler | None:
    return _handlers.get(name)


def handler_names() -> list[str]:
    return sorted(_handlers)


def handler_unregister(name: str) -> None:
    """Forget a handler (tests register throwaway handlers)."""
    _handlers.pop(name, None)
