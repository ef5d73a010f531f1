"""JSON API for quiz attempts, to be mounted at /api/v1/quizzes (see lms/api.py).

The attempt a learner answers never carries a correct flag, weight, feedback or
explanation: it is built from `selectors.attempt_paper`, whose data has no such field.
Those come only from `/review`, once the attempt is graded and the quiz's review rule
allows it. Refusals (attempt limit, closed quiz, late or malformed answer) are a 400
with `{"detail", "code", "errors"}`; someone else's attempt is a 404.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from . import selectors, services
from .models import Quiz

router = Router(tags=["quizzes"])


class OptionOut(Schema):
    value: int = Field(
        description="Giá trị gửi lại khi trả lời: mã lựa chọn, hoặc (ghép cặp) chỉ số vế phải."
    )
    text: str


class PromptOut(Schema):
    key: str = Field(description="Ghép cặp: khoá của vế trái trong `answer.pairs`.")
    text: str


class PaperQuestionOut(Schema):
    number: int
    id: int
    type: str
    text: str
    points: Decimal
    options: list[OptionOut]
    prompts: list[PromptOut]
    answer: dict = Field(description="Câu trả lời đã lưu, cùng dạng với khi gửi lên.")


class AttemptOut(Schema):
    id: int
    quiz_id: int
    quiz_title: str
    number: int
    state: str
    started_at: datetime.datetime
    deadline_at: datetime.datetime | None
    remaining_seconds: int | None
    questions: list[PaperQuestionOut]


class AnswerIn(Schema):
    """One of these, by question type: single choice and true/false `choice`; multiple
    choice `choices`; matching `pairs` {prompt key: option value}; ordering `order` (every
    option value, first to last); numeric `value` ("3,5"); short text `text`."""

    model_config = ConfigDict(extra="forbid")

    choice: int | None = None
    choices: list[int] | None = Field(None, max_length=100)
    pairs: dict[str, int] | None = None
    order: list[int] | None = Field(None, max_length=100)
    value: str | int | float | None = Field(None, description='Một số, hoặc chữ số như người gõ: "3,5".')
    text: str | None = Field(None, max_length=services.MAX_TEXT_ANSWER)


class ResponseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answer: AnswerIn


class SavedOut(Schema):
    question_id: int
    answer: dict
    saved_at: datetime.datetime


class ResultOut(Schema):
    id: int
    state: str
    submitted_at: datetime.datetime | None
    score: Decimal | None
    max_score: Decimal
    percent: Decimal | None
    passed: bool | None


class ReviewOptionOut(Schema):
    text: str
    chosen: bool
    is_correct: bool
    detail: str


class ReviewQuestionOut(Schema):
    number: int
    type: str
    text: str
    points: Decimal
    score: Decimal
    correct: bool
    partial: bool
    answered: bool
    options: list[ReviewOptionOut]
    given: str
    expected: list[str]
    feedback: str
    explanation: str


class ReviewOut(Schema):
    attempt_id: int
    quiz_id: int
    quiz_title: str
    number: int
    state: str
    submitted_at: datetime.datetime | None
    score: Decimal
    max_score: Decimal
    percent: Decimal
    pass_mark_percent: Decimal
    passed: bool
    show_answers: bool
    review_rule: str
    answers_from: datetime.datetime | None
    questions: list[ReviewQuestionOut]


class ItemStatisticOut(Schema):
    question_id: int
    text: str
    type: str
    responses: int
    facility: float | None
    discrimination: float | None


def _paper(attempt) -> selectors.Paper:
    return selectors.attempt_paper(attempt=attempt)


@router.post(
    "/{int:quiz_id}/attempts", response=AttemptOut, summary="Bắt đầu (hoặc làm tiếp) một lần làm bài"
)
def attempt_start(request: HttpRequest, quiz_id: int):
    quiz = selectors.quiz_get(quiz_id=quiz_id)
    attempt = services.attempt_start(quiz=quiz, learner=request.user)
    attempt.quiz = quiz
    return _paper(attempt)


@router.get(
    "/attempts/{int:attempt_id}", response=AttemptOut, summary="Đề của một lần làm bài (không có đáp án)"
)
def attempt_get(request: HttpRequest, attempt_id: int):
    attempt = selectors.attempt_get_for_learner(attempt_id=attempt_id, learner=request.user)
    return _paper(attempt)


@router.put(
    "/attempts/{int:attempt_id}/responses/{int:question_id}", response=SavedOut, summary="Lưu câu trả lời"
)
def response_save(request: HttpRequest, attempt_id: int, question_id: int, payload: ResponseIn):
    attempt = selectors.attempt_get_for_learner(attempt_id=attempt_id, learner=request.user)
    answer = payload.answer.model_dump(exclude_none=True)
    response = services.response_save(
        attempt=attempt, learner=request.user, question_id=question_id, answer=answer
    )
    return {"question_id": response.question_id, "answer": response.answer, "saved_at": response.saved_at}


@router.post("/attempts/{int:attempt_id}/submit", response=ResultOut, summary="Nộp bài (chấm trên máy chủ)")
def attempt_submit(request: HttpRequest, attempt_id: int):
    attempt = selectors.attempt_get_for_learner(attempt_id=attempt_id, learner=request.user)
    attempt = services.attempt_submit(attempt=attempt, learner=request.user)
    return {
        "id": attempt.pk,
        "state": attempt.state,
        "submitted_at": attempt.submitted_at,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "percent": attempt.percent,
        "passed": attempt.passed,
    }


@router.get("/attempts/{int:attempt_id}/review", response=ReviewOut, summary="Xem lại bài đã chấm")
def attempt_review(request: HttpRequest, attempt_id: int):
    attempt = selectors.attempt_get_for_learner(attempt_id=attempt_id, learner=request.user)
    if not attempt.is_graded:
        raise HttpError(409, _("Bài chưa nộp: chưa có kết quả để xem lại."))
    return selectors.attempt_review(attempt=attempt)


@router.get(
    "/{int:quiz_id}/statistics", response=list[ItemStatisticOut], summary="Thống kê câu hỏi (cán bộ quản lý)"
)
def item_statistics(request: HttpRequest, quiz_id: int, all_attempts: bool = False):
    if not request.user.has_perm("quizzes.view_item_statistics"):
        raise PermissionDenied
    quiz = Quiz.objects.filter(pk=quiz_id).first()
    if quiz is None:
        raise HttpError(404, _("Không tìm thấy bài kiểm tra."))
    return selectors.item_statistics(quiz=quiz, first_attempt_only=not all_attempts)
