"""`attempt_graded`: the quiz engine's one announcement that an attempt was graded, sent
after commit by the grading service, once; evidence and the courses' final test listen
to it (and no longer to the Attempt model's post_save). assessments never imports courses."""

import datetime
import pathlib
import re

import pytest
from django.utils import timezone

from assessments.quizzes.models import Attempt
from assessments.quizzes.services import attempt_expire_if_due, attempt_start, attempt_submit
from assessments.quizzes.signals import attempt_graded
from tests.factories import UserFactory

from .builders import bank_with_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    attempt_graded.connect(receiver, dispatch_uid="tests.heard")
    yield calls
    attempt_graded.disconnect(dispatch_uid="tests.heard")


def test_sent_once_after_commit_with_the_attempt(heard, django_capture_on_commit_callbacks):
    quiz, _q, _c = bank_with_quiz()
    learner = UserFactory()
    attempt = attempt_start(quiz=quiz, learner=learner)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        graded = attempt_submit(attempt=attempt, learner=learner)
    assert heard == []  # nothing before the grading commits
    for callback in pending:
        callback()
    assert len(heard) == 1
    assert heard[0]["attempt_id"] == graded.pk and heard[0]["attempt"].state == Attempt.State.SUBMITTED
    assert (heard[0]["quiz_id"], heard[0]["learner_id"], heard[0]["passed"]) == (quiz.pk, learner.pk, False)
    # Submitting again finds it graded: no second announcement.
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt=attempt, learner=learner)
    assert len(heard) == 1


def test_sent_for_a_time_out(heard, django_capture_on_commit_callbacks):
    quiz, _q, _c = bank_with_quiz(time_limit_seconds=60)
    learner = UserFactory()
    attempt = attempt_start(quiz=quiz, learner=learner)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_expire_if_due(attempt=attempt, now=timezone.now() + datetime.timedelta(minutes=5))
    assert [h["attempt"].state for h in heard] == [Attempt.State.TIMED_OUT]


def test_a_failing_receiver_fails_neither_grading_nor_others(heard, django_capture_on_commit_callbacks):
    def broken(sender, **kwargs):
        raise RuntimeError("receiver down")

    attempt_graded.connect(broken, dispatch_uid="tests.broken")
    try:
        quiz, _q, _c = bank_with_quiz()
        learner = UserFactory()
        attempt = attempt_start(quiz=quiz, learner=learner)
        with django_capture_on_commit_callbacks(execute=True):
            graded = attempt_submit(attempt=attempt, learner=learner)
    finally:
        attempt_graded.disconnect(dispatch_uid="tests.broken")
    assert graded.state == Attempt.State.SUBMITTED and len(heard) == 1


def test_a_plain_save_of_a_graded_attempt_announces_nothing(heard, django_capture_on_commit_callbacks):
    # Evidence and the final test used to listen to post_save; a save is not a grading.
    quiz, _q, _c = bank_with_quiz()
    learner = UserFactory()
    attempt = attempt_start(quiz=quiz, learner=learner)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_submit(attempt=attempt, learner=learner)
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        attempt.save(update_fields=["passed"])
    assert heard == []


def test_assessments_never_import_courses():
    root = pathlib.Path(__file__).resolve().parents[3] / "assessments"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if re.search(r"^\s*(from|import)\s+courses\b", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert offenders == []
