"""Writes for courses: enrolment, visits, lesson completion and course completion.

Views and the API call these and nothing else writes the per-learner models. Every
write is safe to retry: a repeated call returns the existing row or refuses clearly.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.completion import completion_rules, course_completed_callbacks
from courses.models import CourseCompletion, CoursePage, Enrolment, LessonPage, LessonProgress
from courses.selectors import course_path_of, course_structure_build, outline_build
from lms.jobs.services import job_enqueue

WELCOME_JOB = "courses.enrolment_welcome_send"
# Time credited for one lesson when it is opened and then marked done: at most twice the
# lesson's estimated duration, and never more than this (a tab left open overnight).
MAX_SECONDS_PER_LESSON = 4 * 60 * 60


def _require_learner(learner) -> None:
    if not getattr(learner, "is_authenticated", False) or not learner.is_active:
        raise ValidationError(_("Hãy đăng nhập để học."), code="not_authenticated")


def enrolment_window_error(*, course: CoursePage, today: datetime.date | None = None) -> str:
    """Why the course cannot be enrolled in today, or "" when it can (no queries)."""
    today = today or timezone.localdate()
    if not course.live:
        return _("Khoá học này chưa mở.")
    if course.enrolment_opens_on and today < course.enrolment_opens_on:
        return _("Khoá học mở đăng ký từ ngày %(date)s.") % {
            "date": date_format(course.enrolment_opens_on, "SHORT_DATE_FORMAT")
        }
    if course.enrolment_closes_on and today > course.enrolment_closes_on:
        return _("Khoá học đã hết hạn đăng ký (ngày %(date)s).") % {
            "date": date_format(course.enrolment_closes_on, "SHORT_DATE_FORMAT")
        }
    if course.pacing == CoursePage.Pacing.COHORT and course.ends_on and today > course.ends_on:
        return _("Đợt học này đã kết thúc.")
    return ""


@transaction.atomic
def enrolment_create(*, learner, course: CoursePage, today: datetime.date | None = None) -> Enrolment:
    """Enrol `learner` in `course`, free, and queue the welcome message.

    Rules: the learner is signed in and active; the course is live; its enrolment
    window (opens/closes dates, and a cohort's end date) includes today (local time);
    a learner has at most one current (active or completed) enrolment per course, so a
    second call is refused (the unique constraint `courses_enrolment_one_current` backs
    it against races). An earlier unenrolment does not prevent enrolling again: a new
    row is made and lesson progress is kept. The welcome job (courses.tasks) is written
    to the outbox in the same transaction, with the enrolment's id.
    """
    _require_learner(learner)
    problem = enrolment_window_error(course=course, today=today)
    if problem:
        raise ValidationError(problem, code="closed")
    if Enrolment.objects.filter(learner=learner, course=course, status__in=Enrolment.CURRENT).exists():
        raise ValidationError(_("Bạn đã đăng ký khoá học này rồi."), code="duplicate")
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(learner=learner, course=course)
    except IntegrityError as exc:
        raise ValidationError(_("Bạn đã đăng ký khoá học này rồi."), code="duplicate") from exc
    job_enqueue(
        task=WELCOME_JOB, kwargs={"enrolment_id": enrolment.pk}, dedupe_key=f"{WELCOME_JOB}:{enrolment.pk}"
    )
    return enrolment


@transaction.atomic
def enrolment_cancel(*, learner, course: CoursePage) -> Enrolment:
    """Unenrol `learner` from `course`.

    Rules: only an active enrolment can be cancelled (a completed course stays
    completed); the row is kept with status "unenrolled" and its end time; lesson
    progress is kept, so enrolling again picks up where the learner was.
    """
    _require_learner(learner)
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(learner=learner, course=course, status__in=Enrolment.CURRENT)
        .first()
    )
    if enrolment is None:
        raise ValidationError(_("Bạn chưa đăng ký khoá học này."), code="not_enrolled")
    if enrolment.status == Enrolment.Status.COMPLETED:
        raise ValidationError(_("Bạn đã hoàn thành khoá học này, không cần huỷ đăng ký."), code="completed")
    enrolment.status = Enrolment.Status.UNENROLLED
    enrolment.ended_at = timezone.now()
    enrolment.save(update_fields=["status", "ended_at"])
    return enrolment


def lesson_visit(*, learner, lesson: LessonPage, course_id: int) -> bool:
    """Remember the lesson as where the learner left off ("continue where I left off").

    Rules: only for a current enrolment in the lesson's course; one UPDATE, no read.
    Returns whether the learner is enrolled (the lesson page uses it).
    """
    if not getattr(learner, "is_authenticated", False):
        return False
    return bool(
        Enrolment.objects.filter(learner=learner, course_id=course_id, status__in=Enrolment.CURRENT).update(
            last_lesson=lesson, last_visited_at=timezone.now()
        )
    )


# A lesson page records the visit at most this often per learner and lesson: reloading
# or coming back to the same lesson within it writes nothing (the time credited for the
# lesson counts from the first opening in that window).
VISIT_RECORD_SECONDS = 5 * 60


def lesson_visit_throttled(*, enrolment: Enrolment | None, lesson: LessonPage,
                           now: datetime.datetime | None = None) -> bool:
    """As `lesson_visit`, for the lesson page, which has just read the learner's current
    enrolment (selectors.learner_course_state): one UPDATE when the learner moved to
    another lesson or last opened this one VISIT_RECORD_SECONDS ago or more, else none.
    Returns whether the learner is enrolled."""
    if enrolment is None:
        return False
    now = now or timezone.now()
    if (
        enrolment.last_lesson_id == lesson.pk
        and enrolment.last_visited_at is not None
        and (now - enrolment.last_visited_at).total_seconds() < VISIT_RECORD_SECONDS
    ):
        return True
    Enrolment.objects.filter(pk=enrolment.pk, status__in=Enrolment.CURRENT).update(
        last_lesson=lesson, last_visited_at=now
    )
    enrolment.last_lesson_id, enrolment.last_visited_at = lesson.pk, now
    return True


def _seconds_credited(
    *, enrolment: Enrolment, lesson: LessonPage, seconds: int | None, now: datetime.datetime
) -> int:
    cap = min(MAX_SECONDS_PER_LESSON, max(2 * lesson.duration_minutes * 60, 30 * 60))
    if seconds is not None:
        return max(0, min(int(seconds), MAX_SECONDS_PER_LESSON))
    if enrolment.last_lesson_id == lesson.pk and enrolment.last_visited_at:
        return max(0, min(int((now - enrolment.last_visited_at).total_seconds()), cap))
    return 0


def lesson_complete(*, learner, lesson: LessonPage, seconds: int | None = None) -> LessonProgress:
    """Mark `lesson` done for `learner`, then check whether the course is complete.

    Rules: the lesson is live and the learner has a current enrolment in its course;
    when the course locks lessons in order, every required lesson before this one must
    be done first. Idempotent and safe to retry: the first call sets `completed_at`
    and credits the time spent (`seconds` when the app measured it, else the time
    since the learner opened this lesson, capped); later calls change nothing. Each
    first completion re-evaluates the course's completion rule.
    """
    _require_learner(learner)
    course_path = course_path_of(lesson)
    structure = course_structure_build(course_path)
    if not lesson.live or structure is None or lesson.pk not in {info.id for info in structure.lessons}:
        raise ValidationError(_("Bài học này chưa được xuất bản."), code="not_live")
    enrolment = Enrolment.objects.filter(
        learner=learner, course_id=structure.id, status__in=Enrolment.CURRENT
    ).first()
    if enrolment is None:
        raise ValidationError(_("Hãy đăng ký khoá học trước khi đánh dấu bài học."), code="not_enrolled")
    completed = set(
        LessonProgress.objects.filter(
            learner=learner, course_id=structure.id, completed_at__isnull=False
        ).values_list("lesson_id", flat=True)
    )
    if lesson.pk in completed:
        return LessonProgress.objects.get(learner=learner, lesson=lesson)
    state = outline_build(structure=structure, completed=completed).lesson_state(lesson.pk)
    if state is not None and state.locked:
        raise ValidationError(_("Hãy học xong các bài bắt buộc trước bài này."), code="locked")

    now = timezone.now()
    credited = _seconds_credited(enrolment=enrolment, lesson=lesson, seconds=seconds, now=now)
    with transaction.atomic():
        progress, _created = LessonProgress.objects.get_or_create(
            learner=learner, lesson=lesson, defaults={"course_id": structure.id}
        )
        # Conditional: two concurrent calls cannot both complete (and credit) it.
        first = LessonProgress.objects.filter(pk=progress.pk, completed_at__isnull=True).update(
            completed_at=now, seconds_spent=F("seconds_spent") + credited, course_id=structure.id
        )
        progress.refresh_from_db()
        if first:
            course_completion_evaluate(learner=learner, course_id=structure.id, course_path=course_path)
    return progress


@transaction.atomic
def course_completion_evaluate(
    *, learner, course_id: int, course_path: str | None = None
) -> CourseCompletion | None:
    """Record the course as completed when its completion rule holds.

    Rules: every required live lesson is complete (a course whose lessons are all
    optional needs every live lesson); every rule registered in courses.completion
    (a final test's pass mark, later) holds. Then a CourseCompletion is written once
    (unique per learner and course) and the enrolment is marked completed. An existing
    completion is never removed, whatever editors later change in the course. A new
    completion runs the callbacks registered with courses.completion.on_course_completed
    (a certificate, say) in the same transaction.
    """
    existing = CourseCompletion.objects.filter(learner=learner, course_id=course_id).first()
    if existing is not None:
        return existing
    if course_path is None:
        course_path = CoursePage.objects.filter(pk=course_id).values_list("path", flat=True).first()
        if course_path is None:
            return None
    structure = course_structure_build(course_path)
    if structure is None:
        return None
    completed = set(
        LessonProgress.objects.filter(
            learner=learner, course_id=course_id, completed_at__isnull=False
        ).values_list("lesson_id", flat=True)
    )
    if not outline_build(structure=structure, completed=completed).all_required_done:
        return None
    if not all(rule(learner_id=learner.pk, course_id=course_id) for rule in completion_rules()):
        return None
    now = timezone.now()
    completion, created = CourseCompletion.objects.get_or_create(
        learner=learner, course_id=course_id, defaults={"completed_at": now}
    )
    Enrolment.objects.filter(learner=learner, course_id=course_id, status=Enrolment.Status.ACTIVE).update(
        status=Enrolment.Status.COMPLETED, completed_at=completion.completed_at
    )
    if created:
        for callback in course_completed_callbacks():
            callback(completion=completion)
    return completion
