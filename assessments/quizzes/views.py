"""Quiz pages: start or resume, answer (save / submit), review. No JavaScript needed.

Thin: parse the request, call one selector or service, render or redirect.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .forms import answers_from_form
from .models import Attempt, Question, Quiz


def _url(request: HttpRequest, name: str, *args: object) -> str:
    # Works whatever namespace the project mounts these URLs under.
    namespace = request.resolver_match.namespace if request.resolver_match else "quizzes"
    return reverse(f"{namespace}:{name}", args=args)


@login_required
@require_http_methods(["GET", "POST"])
def quiz_start(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = selectors.quiz_get(quiz_id=quiz_id)
    if request.method == "POST":
        try:
            attempt = services.attempt_start(quiz=quiz, learner=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_url(request, "start", quiz.pk))
        return redirect(_url(request, "attempt", attempt.pk))
    status = selectors.quiz_status_for_learner(quiz=quiz, learner=request.user)
    context = {
        "quiz": quiz,
        "status": status,
        "start_url": _url(request, "start", quiz.pk),
        "review_url": _url(request, "review", status.last_graded.pk) if status.last_graded else "",
        "time_limit_minutes": (quiz.time_limit_seconds + 59) // 60 if quiz.time_limit_seconds else None,
    }
    return render(request, "quizzes/quiz_start.html", context)


def _render_attempt(request: HttpRequest, attempt: Attempt, errors: dict[int, str], status: int = 200):
    paper = selectors.attempt_paper(attempt=attempt)
    questions = [(q, errors.get(q.id, "")) for q in paper.questions]
    context = {
        "paper": paper,
        "questions": questions,
        "errors": errors,
        "form_url": _url(request, "attempt", attempt.pk),
        "start_url": _url(request, "start", attempt.quiz_id),
    }
    return render(request, "quizzes/attempt.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def attempt_page(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = selectors.attempt_get_for_learner(attempt_id=attempt_id, learner=request.user)
    autosave = request.method == "POST" and request.POST.get("autosave") == "1"
    if attempt.is_graded:
        if autosave:
            return _autosave_graded(request, attempt)
        if request.method == "POST":
            messages.warning(request, _("Bài này đã được chấm; câu trả lời gửi sau không được lưu."))
        return redirect(_url(request, "review", attempt.pk))
    if request.method == "GET":
        return _render_attempt(request, attempt, {})

    types = dict(
        Question.objects.filter(pk__in=[i["question"] for i in attempt.layout]).values_list("id", "type")
    )
    answers = answers_from_form(attempt=attempt, types=types, data=request.POST)
    errors: dict[int, str] = {}
    try:
        services.responses_save(attempt=attempt, learner=request.user, answers=answers)
    except ValidationError as exc:
        attempt.refresh_from_db()
        if attempt.is_graded:  # too late: graded as timed out with what was saved
            if autosave:
                return _autosave_graded(request, attempt, " ".join(exc.messages))
            messages.error(request, " ".join(exc.messages))
            return redirect(_url(request, "review", attempt.pk))
        # Keep every good answer; name the bad ones.
        for pk, answer in answers.items():
            try:
                services.response_save(attempt=attempt, learner=request.user, question_id=pk, answer=answer)
            except ValidationError as one:
                errors[pk] = " ".join(one.messages)
    if autosave:
        return _autosave_result(answers, errors)
    if errors:
        messages.error(request, _("Có câu trả lời chưa hợp lệ, hãy xem lại các câu được đánh dấu."))
        return _render_attempt(request, attempt, errors, status=400)
    if "submit" in request.POST:
        services.attempt_submit(attempt=attempt, learner=request.user)
        messages.success(request, _("Đã nộp bài."))
        return redirect(_url(request, "review", attempt.pk))
    messages.success(request, _("Đã lưu câu trả lời."))
    return redirect(_url(request, "attempt", attempt.pk))


# The attempt page's script (static/quizzes/attempt.js) posts the whole form in the
# background with autosave=1 after every change, and again after a lost connection; it
# gets JSON back instead of a redirect. The form without the script is unchanged.


def _autosave_result(answers: dict, errors: dict[int, str]) -> JsonResponse:
    saved = [pk for pk in answers if pk not in errors]
    if errors:
        return JsonResponse(
            {
                "detail": _("Có câu trả lời chưa hợp lệ, hãy xem lại các câu được đánh dấu."),
                "code": "invalid",
                "errors": {str(pk): message for pk, message in errors.items()},
                "saved": saved,
            },
            status=400,
        )
    return JsonResponse({"detail": _("Đã lưu câu trả lời."), "code": "saved", "saved": saved})


def _autosave_graded(request: HttpRequest, attempt: Attempt, detail: str = "") -> JsonResponse:
    return JsonResponse(
        {
            "detail": detail or _("Bài này đã được chấm; câu trả lời gửi sau không được lưu."),
            "code": "graded",
            "errors": {},
            "review_url": _url(request, "review", attempt.pk),
        },
        status=409,
    )


@login_required
@require_http_methods(["GET"])
def attempt_review_page(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = selectors.attempt_get_for_learner(attempt_id=attempt_id, learner=request.user)
    if not attempt.is_graded:
        return redirect(_url(request, "attempt", attempt.pk))
    review = selectors.attempt_review(attempt=attempt)
    grade = selectors.quiz_grade_for_learner(quiz=attempt.quiz, learner=request.user)
    context = {"review": review, "grade": grade, "start_url": _url(request, "start", attempt.quiz_id)}
    return render(request, "quizzes/review.html", context)


@login_required
@require_http_methods(["GET"])
def item_statistics_page(request: HttpRequest, quiz_id: int) -> HttpResponse:
    if not request.user.has_perm("quizzes.view_item_statistics"):
        raise PermissionDenied
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    all_attempts = request.GET.get("tat-ca") == "1"
    stats = selectors.item_statistics(quiz=quiz, first_attempt_only=not all_attempts)
    page = Paginator(stats, 50).get_page(request.GET.get("trang"))
    context = {"quiz": quiz, "page": page, "all_attempts": all_attempts}
    return render(request, "quizzes/item_statistics.html", context)
