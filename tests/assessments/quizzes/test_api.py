"""The quizzes API: start, get, save, submit, review, statistics; JSON errors; no leaks."""

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from assessments.quizzes.models import Attempt, Response
from assessments.quizzes.services import DEADLINE_GRACE
from tests.factories import UserFactory

from .builders import bank_with_quiz
from .urls import API_PREFIX as API

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.assessments.quizzes.urls")]

FORBIDDEN_KEYS = {
    "is_correct",
    "correct",
    "weight",
    "fraction",
    "feedback",
    "explanation",
    "expected",
    "score",
}
SECRETS = [
    "Không ai được hỏi mã OTP",
    "Kẻ gian giả danh",
    "Đúng: OTP là bí mật",
    "Thăng Long",
    "Hà Nội là thủ đô",
]


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _put(client, attempt_id, question_id, answer):
    return client.put(
        f"{API}/attempts/{attempt_id}/responses/{question_id}",
        data=json.dumps({"answer": answer}),
        content_type="application/json",
    )


def test_start_get_and_resume_carry_no_key(learner_client, quiz_bank):
    quiz, questions, _c = quiz_bank
    started = learner_client.post(f"{API}/{quiz.pk}/attempts")
    assert started.status_code == 200, started.content
    body = started.json()
    assert body["state"] == "in_progress" and len(body["questions"]) == 7
    assert not _keys(body) & FORBIDDEN_KEYS
    raw = started.content.decode()
    for secret in SECRETS:
        assert secret not in raw
    again = learner_client.post(f"{API}/{quiz.pk}/attempts").json()
    assert again == body  # resumed: same attempt, same questions, same option order
    fetched = learner_client.get(f"{API}/attempts/{body['id']}").json()
    assert fetched["questions"] == body["questions"]
    matching = next(q for q in body["questions"] if q["type"] == "matching")
    assert len(matching["prompts"]) == 3 and len(matching["options"]) == 4


def test_save_submit_review(learner_client, learner, quiz_bank):
    quiz, questions, _c = quiz_bank
    body = learner_client.post(f"{API}/{quiz.pk}/attempts").json()
    attempt_id = body["id"]
    single = questions["single"]
    right = single.choices.get(is_correct=True).pk
    saved = _put(learner_client, attempt_id, single.pk, {"choice": right})
    assert saved.status_code == 200 and saved.json()["answer"] == {"choice": right}
    assert _put(learner_client, attempt_id, single.pk, {"choice": right}).status_code == 200  # idempotent
    assert _put(learner_client, attempt_id, questions["numeric"].pk, {"value": 6}).status_code == 200
    assert _put(learner_client, attempt_id, questions["numeric"].pk, {"value": "6,0"}).status_code == 200
    ordering = next(q for q in body["questions"] if q["id"] == questions["ordering"].pk)
    order = [o["value"] for o in ordering["options"]]
    assert _put(learner_client, attempt_id, questions["ordering"].pk, {"order": order}).status_code == 200
    assert Response.objects.filter(attempt_id=attempt_id).count() == 3
    # The saved answers come back with the paper, still without any key.
    paper = learner_client.get(f"{API}/attempts/{attempt_id}").json()
    assert next(q for q in paper["questions"] if q["id"] == single.pk)["answer"] == {"choice": right}
    early = learner_client.get(f"{API}/attempts/{attempt_id}/review")
    assert early.status_code == 409 and early.json()["detail"]
    result = learner_client.post(f"{API}/attempts/{attempt_id}/submit")
    assert result.status_code == 200
    data = result.json()
    assert data["state"] == "submitted" and Decimal(data["score"]) >= 2
    review = learner_client.get(f"{API}/attempts/{attempt_id}/review").json()
    assert review["show_answers"] is True and len(review["questions"]) == 7
    first = next(q for q in review["questions"] if q["text"] == single.text)
    assert first["correct"] is True and first["explanation"] == "Kẻ gian giả danh để lấy OTP."
    late = _put(learner_client, attempt_id, single.pk, {"choice": right})
    assert late.status_code == 400 and "đã nộp" in late.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ("{not json", 400),
        (json.dumps({"answer": {"choice": "một"}}), 422),
        (json.dumps({"answer": {"colour": "red"}}), 422),  # unknown field
        (json.dumps({"answer": {"text": "x" * 501}}), 422),
        (json.dumps({"answer": {"value": "9" * 41}}), 400),  # a number for a choice question
        (json.dumps({}), 422),
        (json.dumps({"answer": {"choice": 999999}}), 400),  # not an option of this question
        (json.dumps({"answer": {"text": "Hà Nội"}}), 400),  # wrong shape for a single-choice question
    ],
)
def test_malformed_input_is_a_json_4xx(learner_client, quiz_bank, payload, status):
    quiz, questions, _c = quiz_bank
    attempt_id = learner_client.post(f"{API}/{quiz.pk}/attempts").json()["id"]
    response = learner_client.put(
        f"{API}/attempts/{attempt_id}/responses/{questions['single'].pk}",
        data=payload,
        content_type="application/json",
    )
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json") and response.json()["detail"]
    assert not Response.objects.filter(attempt_id=attempt_id).exists()


def test_not_found_and_not_yours(client, quiz_bank):
    quiz, questions, _c = quiz_bank
    owner = UserFactory()
    client.force_login(owner)
    attempt_id = client.post(f"{API}/{quiz.pk}/attempts").json()["id"]
    client.force_login(UserFactory())
    assert client.get(f"{API}/attempts/{attempt_id}").status_code == 404
    assert client.post(f"{API}/attempts/{attempt_id}/submit").status_code == 404
    assert _put(client, attempt_id, questions["single"].pk, {"choice": 1}).status_code == 404
    assert client.post(f"{API}/999999/attempts").status_code == 404
    client.logout()
    assert client.get(f"{API}/attempts/{attempt_id}").status_code == 401


def test_attempt_limit_and_late_save_are_refused_with_a_message(learner_client, learner):
    quiz, questions, _c = bank_with_quiz(max_attempts=1, time_limit_seconds=60)
    attempt_id = learner_client.post(f"{API}/{quiz.pk}/attempts").json()["id"]
    Attempt.objects.filter(pk=attempt_id).update(
        deadline_at=timezone.now() - DEADLINE_GRACE - datetime.timedelta(seconds=1)
    )
    late = _put(learner_client, attempt_id, questions["numeric"].pk, {"value": "6"})
    assert late.status_code == 400 and "hết giờ" in late.json()["detail"]
    assert Attempt.objects.get(pk=attempt_id).state == Attempt.State.TIMED_OUT
    refused = learner_client.post(f"{API}/{quiz.pk}/attempts")
    assert refused.status_code == 400 and "hết 1 lần" in refused.json()["detail"]


def test_statistics_need_the_permission(client, quiz_bank):
    quiz, _q, _c = quiz_bank
    client.force_login(UserFactory())
    assert client.get(f"{API}/{quiz.pk}/statistics").status_code == 403
    staff = UserFactory()
    staff.user_permissions.add(Permission.objects.get(codename="view_item_statistics"))
    client.force_login(staff)
    response = client.get(f"{API}/{quiz.pk}/statistics")
    assert response.status_code == 200 and response.json() == []
