"""A course's final test: `CoursePage.final_quiz`, a quiz of the bank the learner must pass.

The rule (registered in courses.completion when the app is ready): a course with a
final quiz is complete only when every required lesson is done (the base rule of
courses.services.course_completion_evaluate) AND the learner's grade on the final quiz
(assessments.quizzes.selectors.quiz_grade_for_learner: highest, last or average of the
graded attempts, as the quiz says, by assessments.quizzes.grading.grade_over_attempts)
reaches the quiz's pass mark. A course without a final quiz is unaffected. An existing
completion is never taken away.

When is it checked? The quiz engine does not know about courses (dependencies point
from courses to assessments), so the courses side re-evaluates:

- after an attempt is graded and passed: a receiver of the quiz engine's
  `assessments.quizzes.signals.attempt_graded` (connected in CoursesConfig.ready), which
  is sent once the grading transaction has committed, runs `final_test_attempt_graded`
  — grading never fails or rolls back because of courses;
- whenever the learner opens the course page (`final_test_context`), so a completion
  missed by a crash between the two is made then.

A failing attempt can never newly satisfy the rule (highest and last need a passing
attempt; an average only falls), so only passing attempts trigger the check.
"""

from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest

from assessments.quizzes.models import Attempt, Quiz, QuizDrawRule, QuizQuestion
from assessments.quizzes.selectors import quiz_grade_for_learner
from assessments.quizzes.signals import attempt_graded
from courses.completion import completion_rule_register
from courses.models import CourseCompletion, CoursePage, Enrolment
from courses.selectors import (
    QuizState,
    quiz_attempts_invalidate,
    quiz_facts_invalidate,
    quiz_states_for_learner,
)
from courses.services import course_completion_evaluate


def final_test_passed(*, learner_id: int, course_id: int) -> bool:
    """Completion rule: True when the course has no final quiz, or when the learner's
    grade on it reaches its pass mark. One query without a final quiz, three with."""
    quiz_id = CoursePage.objects.filter(pk=course_id).values_list("final_quiz_id", flat=True).first()
    if quiz_id is None:
        return True
    quiz = Quiz.objects.filter(pk=quiz_id).first()
    if quiz is None:
        return True
    # The grade only needs the learner's id; an unsaved instance spares a query.
    grade = quiz_grade_for_learner(quiz=quiz, learner=get_user_model()(pk=learner_id))
    return grade is not None and grade.passed


def final_test_attempt_graded(*, attempt_id: int) -> list[CourseCompletion]:
    """Re-evaluate the completion of every course whose final quiz is the attempt's quiz,
    for the attempt's learner, when the attempt passed and the learner has an active
    enrolment there. Idempotent: returns the completions that now exist."""
    attempt = (
        Attempt.objects.filter(pk=attempt_id, state__in=Attempt.GRADED_STATES, passed=True)
        .only("id", "quiz_id", "learner_id")
        .first()
    )
    if attempt is None:
        return []
    course_ids = list(
        Enrolment.objects.filter(
            learner_id=attempt.learner_id,
            status=Enrolment.Status.ACTIVE,
            course__final_quiz_id=attempt.quiz_id,
        ).values_list("course_id", flat=True)
    )
    if not course_ids:
        return []
    learner = get_user_model().objects.get(pk=attempt.learner_id)
    completions = []
    for course_id in course_ids:
        completion = course_completion_evaluate(learner=learner, course_id=course_id)
        if completion is not None:
            completions.append(completion)
    return completions


def _attempt_graded(sender, attempt_id: int, passed: bool, **kwargs) -> None:
    # Sent after the grading committed; a failing attempt cannot complete a course.
    if passed:
        final_test_attempt_graded(attempt_id=attempt_id)


def _attempt_changed(sender, instance: Attempt, **kwargs) -> None:
    # Now, for the rest of this transaction, and again after commit, so a page read
    # between the two cannot keep the old attempts in the cache.
    forget = partial(quiz_attempts_invalidate, learner_id=instance.learner_id, quiz_id=instance.quiz_id)
    forget()
    transaction.on_commit(forget, robust=True)


def _quiz_changed(sender, instance, **kwargs) -> None:
    quiz_id = instance.pk if isinstance(instance, Quiz) else instance.quiz_id
    quiz_facts_invalidate(quiz_id=quiz_id)
    transaction.on_commit(partial(quiz_facts_invalidate, quiz_id=quiz_id), robust=True)


def connect() -> None:
    """Register the completion rule, the post-grading check and the invalidation of the
    quiz states cached for lesson pages (CoursesConfig.ready)."""
    completion_rule_register(final_test_passed)
    attempt_graded.connect(_attempt_graded, dispatch_uid="courses.final_test.attempt_graded")
    for signal in (post_save, post_delete):
        signal.connect(_attempt_changed, sender=Attempt, dispatch_uid=f"courses.quiz-attempts-{signal!r}")
        for model in (Quiz, QuizQuestion, QuizDrawRule):
            signal.connect(
                _quiz_changed, sender=model, dispatch_uid=f"courses.quiz-facts-{model.__name__}-{signal!r}"
            )


def final_test_state(*, course: CoursePage, learner) -> QuizState | None:
    """The final test's state for `learner`, or None when the course has none."""
    if not course.final_quiz_id:
        return None
    return quiz_states_for_learner(quiz_ids=[course.final_quiz_id], learner=learner).get(course.final_quiz_id)


def final_test_context(*, request: HttpRequest, course: CoursePage, context: dict) -> dict:
    """The course page's final-test section; completes the course when the learner
    has done every required lesson and passed the final test but no completion was
    recorded yet (see the module docstring). No queries for a course without one."""
    state = final_test_state(course=course, learner=request.user)
    if state is None:
        return {"final_test": None}
    enrolment = context.get("enrolment")
    outline = context.get("outline")
    if (
        state.passed
        and enrolment is not None
        and enrolment.status == Enrolment.Status.ACTIVE
        and outline is not None
        and outline.all_required_done
    ):
        completion = course_completion_evaluate(
            learner=request.user, course_id=course.pk, course_path=course.path
        )
        if completion is not None:
            enrolment.status = Enrolment.Status.COMPLETED
            enrolment.completed_at = completion.completed_at
    return {"final_test": state}
