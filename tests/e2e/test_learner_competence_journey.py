"""Issue 4's "done when", as one learner does it in Chromium at 360 px: open a lesson
whose quiz block holds a quiz, start it, answer, lose the connection in the middle
(answers typed offline are kept in the browser and the page says the save failed),
close the tab, reconnect, reopen the lesson and resume the SAME attempt — same drawn
questions, same option order, every answer (the offline ones sent on reopening) —
submit, read the review; then take the self-assessment and open the profile, where
every competence with a level shows the evidence that decided it.

Screenshots (360 px) go to the screenshot folder: lesson, attempt online, attempt
offline, attempt resumed, review, profile."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from assessments.loading import frameworks_load
from assessments.models import Competence, Evidence
from assessments.quizzes.models import Attempt, Question, Response
from assessments.quizzes.services import category_create, quiz_create
from assessments.selfassessment_loading import selfassessment_load
from courses.models import LessonPage
from courses.services import enrolment_create
from tests.assessments.quizzes.builders import one_of_each
from tests.content.builders import home_build
from tests.courses.builders import course_build, index_build, lessons_of
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUIZ_TITLE = "Kiểm tra: an toàn khi dùng dịch vụ số"


def _log_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _lesson_with_quiz():
    """A course whose last lesson holds a quiz: two questions every attempt gets (a
    number and a short text, typed) and three drawn at random from five, questions and
    options shuffled. The typed ones check DigComp 4.2 at level 5."""
    cache.clear()
    frameworks_load()
    selfassessment_load()
    category = category_create(name="An toàn số")
    bank = one_of_each(category)
    typed = [bank["numeric"], bank["short"]]
    protecting_data = Competence.objects.get(framework__code="digcomp-2.2", code="4.2")
    for question in typed:
        question.competences.set([protecting_data])
    Question.objects.filter(pk__in=[q.pk for q in typed]).update(level=5)
    quiz = quiz_create(
        title=QUIZ_TITLE,
        questions=typed,
        draw_rules=[{"category": category, "count": 3}],
        shuffle_questions=True,
        shuffle_options=True,
        pass_mark_percent=Decimal("50"),
    )
    course = course_build(index=index_build(home_build()), lessons_per_module=2)
    lesson = lessons_of(course)[-1]
    lesson.body = [
        {"type": "paragraph", "value": "<p>Ôn lại: mã OTP là bí mật, không đọc cho ai.</p>"},
        {"type": "quiz", "value": {"quiz_id": quiz.pk, "title": ""}},
    ]
    lesson.save_revision().publish()
    return course, LessonPage.objects.get(pk=lesson.pk), quiz, bank


def _answer(page, key: str, question: Question) -> None:
    """Answer one question of one_of_each right, through its form controls."""
    box = page.locator(f"fieldset[data-question='{question.pk}']")
    if key == "single":
        box.get_by_label("Không bao giờ").check()
    elif key == "multiple":
        for label in ("Yêu cầu chuyển tiền gấp", "Đường dẫn lạ", "Giọng nói đe doạ"):
            box.get_by_label(label).check()
    elif key == "truefalse":
        box.get_by_label("Đúng", exact=True).check()
    elif key == "matching":
        box.get_by_label("Định danh điện tử").select_option(label="VNeID")
        box.get_by_label("Dịch vụ công").select_option(label="Cổng Dịch vụ công quốc gia")
        box.get_by_label("Nộp thuế").select_option(label="eTax Mobile")
    elif key == "ordering":
        for position, item in enumerate(
            ["Tải ứng dụng", "Nhập số định danh", "Nhập mã kích hoạt", "Đặt mật khẩu"], start=1
        ):
            box.get_by_label(item).select_option(str(position))
    elif key == "numeric":
        box.get_by_label("Nhập một số").fill("6")
    elif key == "short":
        box.get_by_label("Câu trả lời của bạn").fill("ha noi")


def _paper_shown(page) -> list[tuple[str, list[str]]]:
    """Each question's text and its options/rows as shown, in page order."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('fieldset.quiz-q')).map(f => [
            f.querySelector('.quiz-q__text').textContent.trim(),
            Array.from(f.querySelectorAll('label')).map(l => l.textContent.trim())])"""
    )


def _answered(attempt) -> set[int]:
    """Questions of the attempt with a non-empty answer saved on the server (the form
    also saves the empty typed fields, as the "Lưu" button does)."""
    return {
        r.question_id
        for r in Response.objects.filter(attempt=attempt)
        if any(v not in (None, "", [], {}) for v in r.answer.values())
    }


def _sync_status(page) -> str:
    return page.locator("#quiz-sync").inner_text()


def _answer_step(page, choice: str = "Tự làm được") -> None:
    for fieldset in page.locator("fieldset.sa-item").all():
        if fieldset.locator(".sa-kind").count():
            fieldset.locator("input[type=radio]").first.check()
        else:
            fieldset.get_by_label(choice, exact=True).check()


def test_lesson_quiz_offline_resume_review_then_self_assessment_and_profile(
    live_server, browser, screenshot_dir
):
    course, lesson, quiz, bank = _lesson_with_quiz()
    learner = UserFactory()
    enrolment_create(learner=learner, course=course)
    keys = {q.pk: key for key, q in bank.items()}
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    context.set_default_timeout(15_000)
    _log_in(context, live_server, learner)
    page = context.new_page()

    # The lesson page: the quiz block with its facts and the start button.
    page.goto(live_server.url + lesson.url)
    block = page.locator(f"aside.quiz-slot[data-quiz-id='{quiz.pk}']")
    assert QUIZ_TITLE in block.inner_text() and "Số câu hỏi" in block.inner_text()
    assert _fits(page)
    page.screenshot(path=str(screenshot_dir / "journey-1-lesson-360.png"), full_page=True)
    block.get_by_role("link", name="Làm bài").click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/danh-gia/bai-lam/*/")
    attempt_url = page.url
    attempt = Attempt.objects.get(quiz=quiz, learner=learner)
    drawn = [item["question"] for item in attempt.layout]
    assert len(drawn) == 5 and {bank["numeric"].pk, bank["short"].pk} <= set(drawn)
    paper_before = _paper_shown(page)
    assert [text for text, _o in paper_before] == [Question.objects.get(pk=pk).text for pk in drawn]

    # Online: two choice questions, each saved in the background as it is answered.
    choice_ids = [pk for pk in drawn if keys[pk] not in ("numeric", "short")]
    for pk in choice_ids[:2]:
        _answer(page, keys[pk], bank[keys[pk]])
    page.wait_for_function("() => document.getElementById('quiz-sync').textContent.includes('Đã lưu')")
    assert _answered(attempt) == set(choice_ids[:2])
    assert _fits(page)
    page.screenshot(path=str(screenshot_dir / "journey-2-attempt-online-360.png"), full_page=True)

    # The connection drops: the learner answers the third choice question and types both
    # typed answers. Nothing reaches the server; the page says so, plainly.
    context.set_offline(True)
    _answer(page, keys[choice_ids[2]], bank[keys[choice_ids[2]]])
    _answer(page, "numeric", bank["numeric"])
    _answer(page, "short", bank["short"])
    page.wait_for_function("() => document.getElementById('quiz-sync').textContent.includes('Mất kết nối')")
    assert "CHƯA gửi được" in _sync_status(page) and "giữ trên máy này" in _sync_status(page)
    # Submitting offline does not leave the page and says the attempt was not submitted.
    page.get_by_role("button", name="Nộp bài").click()
    assert "bài CHƯA được nộp" in _sync_status(page)
    assert page.url == attempt_url
    assert _answered(attempt) == set(choice_ids[:2])
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS
    page.screenshot(path=str(screenshot_dir / "journey-3-attempt-offline-360.png"), full_page=True)

    # The phone gives up: the tab is closed while still offline. Later, online again,
    # the learner reopens the lesson and continues the same attempt.
    page.close()
    context.set_offline(False)
    page = context.new_page()
    page.goto(live_server.url + lesson.url)
    page.locator(f"aside.quiz-slot[data-quiz-id='{quiz.pk}']").get_by_role("link", name="Làm tiếp").click()
    page.wait_for_url(attempt_url)
    # The kept answers go back into the form and are sent.
    page.wait_for_function("() => document.getElementById('quiz-sync').textContent.includes('Đã lưu')")
    assert Attempt.objects.filter(quiz=quiz, learner=learner).count() == 1
    assert _paper_shown(page) == paper_before  # same questions, same order, same options
    assert _answered(attempt) == set(drawn)
    # Reload: everything now comes from the server, not from the browser's copy.
    assert page.evaluate(f"localStorage.getItem('quiz-attempt-{attempt.pk}')") is None
    page.reload()
    assert page.locator(f"fieldset[data-question='{bank['short'].pk}'] input").input_value() == "ha noi"
    assert page.locator(f"fieldset[data-question='{bank['numeric'].pk}'] input").input_value() == "6"
    # The three drawn choice questions are random types: count what each one restores.
    checked = {"single": 1, "truefalse": 1, "multiple": 3}
    chosen = {"matching": 3, "ordering": 4}
    assert page.locator("input:checked").count() == sum(checked.get(keys[pk], 0) for pk in choice_ids)
    selected = page.evaluate(
        "() => Array.from(document.querySelectorAll('fieldset.quiz-q select')).filter(s => s.value).length"
    )
    assert selected == sum(chosen.get(keys[pk], 0) for pk in choice_ids)
    assert "đã trả lời 5/5 câu" in page.locator("main").inner_text()
    assert _fits(page)
    page.screenshot(path=str(screenshot_dir / "journey-4-attempt-resumed-360.png"), full_page=True)

    # Submit and read the review: the score and feedback on every question.
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/ket-qua/")
    main = page.locator("main").inner_text()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED and attempt.passed
    assert "Đạt" in main and "5 / 5 điểm (100%)" in main and attempt.max_score == 5
    marks = page.locator("section.quiz-q h3")
    assert marks.count() == 5
    assert all("1/1 điểm" in h and "✓ Đúng" in h for h in marks.all_inner_texts())
    assert "Hà Nội là thủ đô." in main  # the short-text question's explanation
    assert _fits(page)
    page.screenshot(path=str(screenshot_dir / "journey-5-review-360.png"), full_page=True)
    # Passing the quiz recorded quiz evidence: DigComp 4.2 at level 5.
    quiz_evidence = Evidence.objects.get(person=learner, method=Evidence.Method.QUIZ)
    assert (quiz_evidence.competence.code, quiz_evidence.level) == ("4.2", 5)

    # The self-assessment, every step on its own page.
    page.goto(f"{live_server.url}/danh-gia/tu-danh-gia/")
    page.get_by_role("button", name="Bắt đầu tự đánh giá").click()
    for step in "12345":
        page.wait_for_url(f"**/tu-danh-gia/buoc/{step}/")
        _answer_step(page)
        page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_url("**/tu-danh-gia/buoc/6/")
    _answer_step(page)
    page.get_by_role("button", name="Hoàn thành và xem kết quả").click()
    page.wait_for_url("**/tu-danh-gia/ket-qua/*/")
    page.get_by_role("link", name="Xem hồ sơ năng lực của tôi").click()
    page.wait_for_url("**/danh-gia/ho-so/")
    assert _fits(page)

    # Every level explains itself: each competence with a level has its rule and the
    # evidence that decided it; 4.2 is decided by the quiz (level 5, above what a
    # self-assessment may claim), the others by the self-assessment.
    whys = page.locator("details.pf-why")
    assert whys.count() == 24  # 21 DigComp + TT02's three AI competences
    for i in range(whys.count()):
        why = whys.nth(i)
        why.locator("summary").click()
        text = why.inner_text()
        summary = why.locator("summary").inner_text()
        assert re.search(r"bậc \d", summary), summary
        assert why.locator(".pf-rule").inner_text().strip()
        assert "Minh chứng quyết định:" in text
        assert why.locator("ul").first.locator("li").count() >= 1
    data_why = page.locator("#vi-sao-digcomp-22-42")
    text = data_why.inner_text()
    assert "bậc 5 — vì sao?" in text
    assert "Bậc cao nhất trong các minh chứng không phải tự đánh giá" in text
    decisive = data_why.locator("ul").first.inner_text()
    assert "Bài kiểm tra: bậc 5" in decisive and QUIZ_TITLE in decisive
    assert re.search(r"Tự đánh giá: bậc \d", data_why.locator("ul").nth(1).inner_text())
    page.screenshot(path=str(screenshot_dir / "journey-6-profile-360.png"), full_page=True)
    context.close()
