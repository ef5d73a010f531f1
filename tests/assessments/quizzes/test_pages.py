"""The quiz pages: start, resume, save, submit, review, time-out; no answers before submission."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.quizzes.models import Attempt, Response
from assessments.quizzes.services import DEADLINE_GRACE, attempt_start
from tests.factories import UserFactory

from .builders import bank_with_quiz

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.assessments.quizzes.urls")]

# Text that exists only in the key: feedback, explanations, a partial-credit variant.
SECRETS = [
    "Không ai được hỏi mã OTP",
    "Kẻ gian giả danh",
    "Đúng: OTP là bí mật",
    "Thăng Long",
    "Hà Nội là thủ đô",
]


def _start(client, quiz) -> Attempt:
    response = client.post(f"/danh-gia/bai-kiem-tra/{quiz.pk}/")
    assert response.status_code == 302
    attempt = Attempt.objects.get(quiz=quiz, state=Attempt.State.IN_PROGRESS)
    assert response["Location"] == f"/danh-gia/bai-lam/{attempt.pk}/"
    return attempt


def test_pages_need_login(client, quiz_bank):
    quiz, _q, _c = quiz_bank
    response = client.get(f"/danh-gia/bai-kiem-tra/{quiz.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_start_page_then_attempt_page_shows_every_question_without_the_key(learner_client, quiz_bank):
    quiz, questions, _c = quiz_bank
    page = learner_client.get(f"/danh-gia/bai-kiem-tra/{quiz.pk}/")
    assert page.status_code == 200
    assert "Bắt đầu làm bài" in page.content.decode()
    attempt = _start(learner_client, quiz)
    html = learner_client.get(f"/danh-gia/bai-lam/{attempt.pk}/").content.decode()
    for question in questions.values():
        assert question.text in html
    for secret in SECRETS:
        assert secret not in html, secret
    for marker in ("is_correct", "correct", "weight", "fraction", "explanation"):
        assert marker not in html, marker
    assert 'type="radio"' in html and 'type="checkbox"' in html and "<select" in html
    assert 'inputmode="decimal"' in html
    assert "Lưu" in html and "Nộp bài" in html


def test_resume_from_the_start_page_gives_the_same_attempt_and_paper(learner_client, quiz_bank):
    quiz, _q, _c = quiz_bank
    attempt = _start(learner_client, quiz)
    first_html = learner_client.get(f"/danh-gia/bai-lam/{attempt.pk}/").content.decode()
    start_page = learner_client.get(f"/danh-gia/bai-kiem-tra/{quiz.pk}/").content.decode()
    assert "Làm tiếp bài đang dở" in start_page
    again = _start(learner_client, quiz)
    assert again.pk == attempt.pk
    csrf_free = [line for line in first_html.splitlines() if "csrf" not in line]
    second_html = learner_client.get(f"/danh-gia/bai-lam/{attempt.pk}/").content.decode()
    assert csrf_free == [line for line in second_html.splitlines() if "csrf" not in line]


def _form_with_right_answers(attempt, questions) -> dict:
    data = {}
    for q in questions.values():
        item = next(i for i in attempt.layout if i["question"] == q.pk)
        name = f"q{q.pk}"
        if q.type in ("single_choice", "true_false"):
            data[name] = str(q.choices.get(is_correct=True).pk)
        elif q.type == "multiple_choice":
            data[name] = [str(pk) for pk in q.choices.filter(is_correct=True).values_list("pk", flat=True)]
        elif q.type == "matching":
            pairs = {p.pk: p for p in q.pairs.all()}
            offered = [pairs[pk].answer for pk in item["answers"]]
            for pk in item["prompts"]:
                data[f"{name}_p{pk}"] = str(offered.index(pairs[pk].answer))
        elif q.type == "ordering":
            for position, choice in enumerate(q.choices.order_by("ordering"), start=1):
                data[f"{name}_o{choice.pk}"] = str(position)
        elif q.type == "numeric":
            data[name] = "6"
        else:
            data[name] = "ha noi"
    return data


def test_save_then_submit_with_the_form_and_see_the_review(learner_client, quiz_bank):
    quiz, questions, _c = quiz_bank
    attempt = _start(learner_client, quiz)
    data = _form_with_right_answers(attempt, questions)
    saved = learner_client.post(f"/danh-gia/bai-lam/{attempt.pk}/", {**data, "save": "1"})
    assert saved.status_code == 302 and saved["Location"] == f"/danh-gia/bai-lam/{attempt.pk}/"
    assert Response.objects.filter(attempt=attempt).count() == 7
    # Reopened, the saved answers are filled in.
    html = learner_client.get(saved["Location"]).content.decode()
    assert 'value="ha noi"' in html and html.count("checked") >= 4 and "selected" in html
    submitted = learner_client.post(f"/danh-gia/bai-lam/{attempt.pk}/", {**data, "submit": "1"})
    assert submitted["Location"] == f"/danh-gia/bai-lam/{attempt.pk}/ket-qua/"
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED and attempt.score == Decimal("7.00") and attempt.passed
    review = learner_client.get(submitted["Location"]).content.decode()
    assert "7 / 7" in review and "Đạt" in review
    for secret in ("Không ai được hỏi mã OTP", "Kẻ gian giả danh", "Đúng: OTP là bí mật", "Hà Nội là thủ đô"):
        assert secret in review, secret
    # The attempt page now sends to the review; a late post saves nothing.
    late = learner_client.post(f"/danh-gia/bai-lam/{attempt.pk}/", {f"q{questions['short'].pk}": "xyz"})
    assert late.status_code == 302 and late["Location"].endswith("/ket-qua/")
    assert Response.objects.get(attempt=attempt, question=questions["short"]).answer == {"text": "ha noi"}


def test_a_bad_answer_is_named_and_the_good_ones_are_kept(learner_client, quiz_bank):
    quiz, questions, _c = quiz_bank
    attempt = _start(learner_client, quiz)
    response = learner_client.post(
        f"/danh-gia/bai-lam/{attempt.pk}/",
        {f"q{questions['numeric'].pk}": "sáu", f"q{questions['short'].pk}": "Hà Nội", "submit": "1"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "không phải là một số" in html and "quiz-q--error" in html
    assert Response.objects.get(attempt=attempt, question=questions["short"]).answer == {"text": "Hà Nội"}
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS  # not submitted with a bad answer


def test_unticking_every_box_saves_an_empty_choice(learner_client, quiz_bank):
    quiz, questions, _c = quiz_bank
    attempt = _start(learner_client, quiz)
    mc = questions["multiple"]
    learner_client.post(f"/danh-gia/bai-lam/{attempt.pk}/", {f"q{mc.pk}": [str(mc.choices.first().pk)]})
    learner_client.post(f"/danh-gia/bai-lam/{attempt.pk}/", {f"q{mc.pk}_shown": "1"})
    assert Response.objects.get(attempt=attempt, question=mc).answer == {"choices": []}


def test_someone_elses_attempt_is_a_404(client, quiz_bank):
    quiz, _q, _c = quiz_bank
    attempt = attempt_start(quiz=quiz, learner=UserFactory())
    client.force_login(UserFactory())
    assert client.get(f"/danh-gia/bai-lam/{attempt.pk}/").status_code == 404
    assert client.post(f"/danh-gia/bai-lam/{attempt.pk}/", {"save": "1"}).status_code == 404
    assert client.get(f"/danh-gia/bai-lam/{attempt.pk}/ket-qua/").status_code == 404


def test_time_shown_and_a_post_after_the_deadline_is_graded_as_timed_out(learner_client, learner):
    quiz, questions, _c = bank_with_quiz(time_limit_seconds=900)
    attempt = _start(learner_client, quiz)
    html = learner_client.get(f"/danh-gia/bai-lam/{attempt.pk}/").content.decode()
    assert "Còn khoảng 15 phút" in html
    learner_client.post(f"/danh-gia/bai-lam/{attempt.pk}/", {f"q{questions['short'].pk}": "Hà Nội"})
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline_at=timezone.now() - DEADLINE_GRACE - datetime.timedelta(seconds=1)
    )
    response = learner_client.post(f"/danh-gia/bai-lam/{attempt.pk}/", {f"q{questions['numeric'].pk}": "6"})
    assert response.status_code == 302 and response["Location"].endswith("/ket-qua/")
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.TIMED_OUT and attempt.score == Decimal("1.00")
    review = learner_client.get(response["Location"]).content.decode()
    assert "hết giờ" in review


@pytest.mark.parametrize("rule", ["never", "after_close"])
def test_review_rules_hide_the_answers(learner_client, learner, rule):
    quiz, questions, _c = bank_with_quiz(review_rule=rule, max_attempts=3 if rule == "after_close" else None)
    attempt = _start(learner_client, quiz)
    data = _form_with_right_answers(attempt, questions)
    learner_client.post(f"/danh-gia/bai-lam/{attempt.pk}/", {**data, "submit": "1"})
    review = learner_client.get(f"/danh-gia/bai-lam/{attempt.pk}/ket-qua/").content.decode()
    assert "7 / 7" in review  # the score is always shown
    for secret in ("Không ai được hỏi mã OTP", "Kẻ gian giả danh", "Hà Nội là thủ đô"):
        assert secret not in review
    expected = "không công bố đáp án" if rule == "never" else "dùng hết số lần làm bài"
    assert expected in review


def test_after_close_shows_answers_once_the_quiz_has_closed(learner_client):
    now = timezone.now()
    quiz, questions, _c = bank_with_quiz(
        review_rule="after_close", closes_at=now + datetime.timedelta(hours=1)
    )
    attempt = _start(learner_client, quiz)
    learner_client.post(f"/danh-gia/bai-lam/{attempt.pk}/", {"submit": "1"})
    assert (
        "Kẻ gian giả danh"
        not in learner_client.get(f"/danh-gia/bai-lam/{attempt.pk}/ket-qua/").content.decode()
    )
    type(quiz).objects.filter(pk=quiz.pk).update(closes_at=now - datetime.timedelta(minutes=1))
    assert (
        "Kẻ gian giả danh" in learner_client.get(f"/danh-gia/bai-lam/{attempt.pk}/ket-qua/").content.decode()
    )


def test_attempt_limit_on_the_start_page(learner_client, learner):
    quiz, _q, _c = bank_with_quiz(max_attempts=1)
    attempt = _start(learner_client, quiz)
    learner_client.post(f"/danh-gia/bai-lam/{attempt.pk}/", {"submit": "1"})
    page = learner_client.get(f"/danh-gia/bai-kiem-tra/{quiz.pk}/").content.decode()
    assert "không thể làm thêm" in page and "Bắt đầu làm bài" not in page
    refused = learner_client.post(f"/danh-gia/bai-kiem-tra/{quiz.pk}/", follow=True)
    assert "hết 1 lần" in refused.content.decode()
    assert Attempt.objects.filter(quiz=quiz).count() == 1


@pytest.mark.parametrize("extra_questions", [0, 30])
def test_attempt_page_query_count_does_not_grow_with_the_quiz(
    learner_client, learner, extra_questions, django_assert_max_num_queries
):
    from assessments.quizzes.services import category_create, question_create, quiz_create

    category = category_create(name="Nhiều câu")
    questions = [
        question_create(
            category=category,
            type="single_choice",
            text=f"Câu {i}?",
            choices=[{"text": "A", "correct": True}, {"text": "B"}],
        )
        for i in range(3 + extra_questions)
    ]
    quiz = quiz_create(title="Dài", questions=questions)
    attempt = attempt_start(quiz=quiz, learner=learner)
    learner_client.get(f"/danh-gia/bai-lam/{attempt.pk}/")  # warm the site chrome caches
    with django_assert_max_num_queries(8):
        assert learner_client.get(f"/danh-gia/bai-lam/{attempt.pk}/").status_code == 200


def test_pages_in_english(learner_client, quiz_bank, settings):
    quiz, _q, _c = quiz_bank
    learner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Start the quiz" in learner_client.get(f"/danh-gia/bai-kiem-tra/{quiz.pk}/").content.decode()
    attempt = _start(learner_client, quiz)
    html = learner_client.get(f"/danh-gia/bai-lam/{attempt.pk}/").content.decode()
    assert ">Save<" in html and ">Submit<" in html and "Question 1 (points: 1)" in html


def test_review_page_query_count_for_a_choice_quiz(learner_client, learner, django_assert_max_num_queries):
    from assessments.quizzes.services import attempt_submit, category_create, question_create, quiz_create

    category = category_create(name="Chỉ lựa chọn")
    questions = [
        question_create(
            category=category,
            type="single_choice",
            text=f"Câu {i}?",
            choices=[{"text": "A", "correct": True}, {"text": "B"}],
        )
        for i in range(20)
    ]
    quiz = quiz_create(title="Chỉ lựa chọn", questions=questions)
    attempt = attempt_submit(attempt=attempt_start(quiz=quiz, learner=learner), learner=learner)
    learner_client.get(f"/danh-gia/bai-lam/{attempt.pk}/ket-qua/")  # warm the site chrome caches
    with django_assert_max_num_queries(8):
        assert learner_client.get(f"/danh-gia/bai-lam/{attempt.pk}/ket-qua/").status_code == 200


# --- Background saves from the attempt page's script (autosave=1, JSON answers) -----------


def test_autosave_saves_the_form_and_answers_in_json(learner_client, quiz_bank):
    quiz, questions, _c = quiz_bank
    attempt = _start(learner_client, quiz)
    single, short = questions["single"], questions["short"]
    right = single.choices.get(is_correct=True).pk
    response = learner_client.post(
        f"/danh-gia/bai-lam/{attempt.pk}/",
        {"autosave": "1", f"q{single.pk}": str(right), f"q{short.pk}": "ha noi"},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "saved" and set(body["saved"]) == {single.pk, short.pk}
    assert Response.objects.get(attempt=attempt, question=short).answer == {"text": "ha noi"}
    # Sent again (a resend after a lost connection): nothing doubles.
    learner_client.post(f"/danh-gia/bai-lam/{attempt.pk}/", {"autosave": "1", f"q{short.pk}": "ha noi"})
    assert Response.objects.filter(attempt=attempt, question=short).count() == 1
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS


def test_autosave_names_the_bad_answer_and_keeps_the_good_ones(learner_client, quiz_bank):
    quiz, questions, _c = quiz_bank
    attempt = _start(learner_client, quiz)
    numeric, short = questions["numeric"], questions["short"]
    response = learner_client.post(
        f"/danh-gia/bai-lam/{attempt.pk}/",
        {"autosave": "1", f"q{numeric.pk}": "sáu", f"q{short.pk}": "Hà Nội"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == [str(numeric.pk)]
    assert "không phải là một số" in body["errors"][str(numeric.pk)]
    assert Response.objects.get(attempt=attempt, question=short).answer == {"text": "Hà Nội"}


def test_autosave_after_grading_is_refused_with_the_review_link(learner_client, quiz_bank):
    quiz, questions, _c = quiz_bank
    attempt = _start(learner_client, quiz)
    learner_client.post(f"/danh-gia/bai-lam/{attempt.pk}/", {"submit": "1"})
    response = learner_client.post(
        f"/danh-gia/bai-lam/{attempt.pk}/", {"autosave": "1", f"q{questions['short'].pk}": "Hà Nội"}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "graded" and body["review_url"] == f"/danh-gia/bai-lam/{attempt.pk}/ket-qua/"
    assert not Response.objects.filter(attempt=attempt, question=questions["short"]).exists()


def test_attempt_page_loads_the_keep_and_resend_script_and_its_messages(learner_client, quiz_bank):
    quiz, _q, _c = quiz_bank
    attempt = _start(learner_client, quiz)
    html = learner_client.get(f"/danh-gia/bai-lam/{attempt.pk}/").content.decode()
    assert f'data-quiz-autosave="{attempt.pk}"' in html and "quizzes/attempt.js" in html
    assert "Mất kết nối: câu trả lời CHƯA gửi được lên máy chủ" in html
