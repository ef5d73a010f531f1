"""Labels that sources write on evidence are stored in Vietnamese and shown in the
reader's language: quiz attempts ("— lần n" / "— attempt n") and self-assessments."""

import pytest
from django.urls import reverse
from django.utils import translation

from assessments.labels import evidence_text
from assessments.loading import frameworks_load
from assessments.models import Competence, Evidence
from assessments.quizzes.services import attempt_start, attempt_submit, responses_save
from assessments.services import SELF_ASSESSMENT_SOURCE, evidence_record
from tests.assessments.quizzes.builders import bank_with_quiz
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def loaded():
    frameworks_load()


def _graded_quiz_evidence(learner, django_capture_on_commit_callbacks) -> Evidence:
    quiz, questions, _c = bank_with_quiz()
    quiz.title = "Kiểm tra an toàn — phần 1"  # a title may hold the separator itself
    quiz.save()
    questions["single"].competences.set([Competence.objects.get(framework__code="digcomp-2.2", code="4.2")])
    attempt = attempt_start(quiz=quiz, learner=learner)
    right = questions["single"].choices.get(is_correct=True).pk
    responses_save(attempt=attempt, learner=learner, answers={questions["single"].pk: {"choice": right}})
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt=attempt, learner=learner)
    return Evidence.objects.get(person=learner, method=Evidence.Method.QUIZ)


def test_quiz_label_is_stored_in_vietnamese_even_when_graded_in_english(django_capture_on_commit_callbacks):
    learner = UserFactory()
    with translation.override("en"):
        record = _graded_quiz_evidence(learner, django_capture_on_commit_callbacks)
    assert record.source_label == "Kiểm tra an toàn — phần 1 — lần 1"
    with translation.override("vi"):
        assert record.display_label == "Kiểm tra an toàn — phần 1 — lần 1"
    with translation.override("en"):
        assert record.display_label == "Kiểm tra an toàn — phần 1 — attempt 1"


def test_rows_written_before_keep_working_and_free_text_is_left_alone():
    learner = UserFactory()
    old = evidence_record(person=learner, competence_code="digcomp-2.2:1.1", level=2, method="quiz",
                          source_type="quizzes.attempt", source_id=3, source_label="Tra cứu — lần 12")
    course = evidence_record(person=learner, competence_code="digcomp-2.2:1.1", level=2,
                             method="course_completed", source_type="courses.coursecompletion",
                             source_label="Tra cứu — lần 12")
    with translation.override("en"):
        assert old.display_label == "Tra cứu — attempt 12"
        assert course.display_label == "Tra cứu — lần 12"  # a course title: content, not a label
        assert evidence_text(source_type="quizzes.attempt", field="source_label", text="Không khớp") == (
            "Không khớp"
        )


def test_self_assessment_label_and_note_translate_when_shown():
    learner = UserFactory()
    record = evidence_record(
        person=learner, competence_code="digcomp-2.2:2.1", level=3, method="self_assessed",
        source_type=SELF_ASSESSMENT_SOURCE, source_id=1,
        source_label="Tự đánh giá: Tự đánh giá năng lực số (phiên bản 1)", note="Điểm 66.7/100",
    )
    with translation.override("en"):
        assert record.display_label == "Self-assessment: Tự đánh giá năng lực số (version 1)"
        assert record.display_note == "Score 66.7/100"


def test_profile_in_english_shows_the_translated_quiz_label(client, django_capture_on_commit_callbacks):
    learner = UserFactory()
    _graded_quiz_evidence(learner, django_capture_on_commit_callbacks)
    client.force_login(learner)
    assert "Kiểm tra an toàn — phần 1 — lần 1" in client.get(reverse("assessments:profile")).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(reverse("assessments:profile")).content.decode()
    assert "Kiểm tra an toàn — phần 1 — attempt 1" in html and "— lần 1" not in html
    body = client.get("/api/v1/profile").json()
    row = next(r for r in body["competences"] if r["competence"] == "digcomp-2.2:4.2")
    assert row["decisive"][0]["label"] == "Kiểm tra an toàn — phần 1 — attempt 1"
    assert row["decisive"][0]["source_label"] == "Kiểm tra an toàn — phần 1 — lần 1"
