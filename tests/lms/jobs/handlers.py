"""Throwaway job handlers for the outbox tests. Each leaves a visible mark in the
database: it appends a character to a user's full_name, so the number of marks is the
number of times its effect happened."""

from django.db.models import Value
from django.db.models.functions import Concat

from lms.accounts.models import User
from lms.jobs.registry import job_handler


def mark(user_id: int, char: str = "+") -> None:
    User.objects.filter(pk=user_id).update(full_name=Concat("full_name", Value(char)))


def marks(user_id: int, char: str = "+") -> int:
    return User.objects.get(pk=user_id).full_name.count(char)


@job_handler("tests.mark", max_attempts=3)
def mark_job(*, user_id: int) -> None:
    mark(user_id)


@job_handler("tests.fail", max_attempts=2)
def fail_job(*, user_id: int) -> None:
    # The write is rolled back with the failure: only the attempts show.
    mark(user_id, "!")
    raise RuntimeError("cố ý thất bại")
