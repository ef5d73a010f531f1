"""Item statistics on a small dataset whose values are worked out by hand."""

import pytest

from assessments.quizzes.selectors import item_statistics
from assessments.quizzes.services import (
    attempt_start,
    attempt_submit,
    category_create,
    question_create,
    quiz_create,
    responses_save,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _take(quiz, questions, learner, marks):
    """One attempt: 1 = right, 0 = wrong, None = left unanswered."""
    attempt = attempt_start(quiz=quiz, learner=learner)
    answers = {}
    for question, mark in zip(questions, marks, strict=True):
        if mark is not None:
            answers[question.pk] = {"choice": question.choices.get(is_correct=bool(mark)).pk}
    responses_save(attempt=attempt, learner=learner, answers=answers)
    return attempt_submit(attempt=attempt, learner=learner)


def test_facility_and_discrimination_by_hand():
    category = category_create(name="Thống kê")
    q1, q2, q3 = (
        question_create(category=category, type="true_false", text=f"Mệnh đề {i}", correct=True)
        for i in (1, 2, 3)
    )
    quiz = quiz_create(title="Thống kê", questions=[q1, q2, q3])
    learners = [UserFactory() for _ in range(4)]
    # First attempts:      Q1 Q2    Q3   total
    _take(quiz, [q1, q2, q3], learners[0], [1, 1, 1])  # 3
    _take(quiz, [q1, q2, q3], learners[1], [1, 1, 0])  # 2
    _take(quiz, [q1, q2, q3], learners[2], [1, 0, 0])  # 1
    _take(quiz, [q1, q2, q3], learners[3], [0, None, 1])  # 1 (Q2 unanswered counts 0)
    # Ignored by default: a second attempt, and an attempt still in progress.
    _take(quiz, [q1, q2, q3], learners[2], [1, 1, 1])
    attempt_start(quiz=quiz, learner=UserFactory())

    stats = {s.question_id: s for s in item_statistics(quiz=quiz)}
    # Facility: mean fraction earned.
    assert [stats[q.pk].facility for q in (q1, q2, q3)] == [0.75, 0.5, 0.5]
    assert all(stats[q.pk].responses == 4 for q in (q1, q2, q3))
    # Discrimination: Pearson r of the item (x) with the rest score / 2 (y).
    # Q1: x = 1,1,1,0; y = 1, .5, 0, .5 → Σdxdy = 0 → r = 0.
    # Q2: x = 1,1,0,0; y = 1, .5, .5, .5 → r = .25 / √(1 × .1875) = 0.5774.
    # Q3: x = 1,0,0,1; y = 1, 1, .5, 0 → r = −.25 / √(1 × .6875) = −0.3015.
    assert stats[q1.pk].discrimination == 0.0
    assert stats[q2.pk].discrimination == 0.5774
    assert stats[q3.pk].discrimination == -0.3015

    every = {s.question_id: s for s in item_statistics(quiz=quiz, first_attempt_only=False)}
    assert every[q1.pk].responses == 5 and every[q1.pk].facility == 0.8  # 4 right of 5


def test_no_variation_gives_no_discrimination():
    category = category_create(name="Đều nhau")
    q1, q2 = (
        question_create(category=category, type="true_false", text=f"Câu {i}", correct=True) for i in (1, 2)
    )
    quiz = quiz_create(title="Đều", questions=[q1, q2])
    for _ in range(3):
        _take(quiz, [q1, q2], UserFactory(), [1, 0])
    stats = item_statistics(quiz=quiz)
    assert [(s.facility, s.discrimination) for s in stats] == [(1.0, None), (0.0, None)]
    assert item_statistics(quiz=quiz_create(title="Trống", questions=[q1])) == []


@pytest.mark.urls("tests.assessments.quizzes.urls")
def test_statistics_page_is_for_staff_only(client):
    from django.contrib.auth.models import Permission

    category = category_create(name="Trang thống kê")
    q1, q2 = (
        question_create(category=category, type="true_false", text=f"Ý {i}", correct=True) for i in (1, 2)
    )
    quiz = quiz_create(title="Trang", questions=[q1, q2])
    _take(quiz, [q1, q2], UserFactory(), [1, 0])
    _take(quiz, [q1, q2], UserFactory(), [0, 0])
    client.force_login(UserFactory())
    assert client.get(f"/danh-gia/bai-kiem-tra/{quiz.pk}/thong-ke/").status_code == 403
    staff = UserFactory()
    staff.user_permissions.add(Permission.objects.get(codename="view_item_statistics"))
    client.force_login(staff)
    html = client.get(f"/danh-gia/bai-kiem-tra/{quiz.pk}/thong-ke/").content.decode()
    assert "Ý 1" in html and "0,50" in html and "0,00" in html  # facilities 0.5 and 0
