"""“Tiếp tục học” (continue where I left off): the learner's most recently used
unfinished course and the lesson to open next, in one query."""

from dataclasses import dataclass

from django.db.models import Exists, F, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from courses.models import CoursePage, Enrolment, LessonPage, LessonProgress
from courses.selectors import page_url


def _count(queryset):
    # COUNT as a plain function, not an aggregate: no GROUP BY, one scalar per row.
    return queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")


@dataclass
class ContinueLearning:
    course: CoursePage
    course_url: str
    lesson_title: str  # "" when every live lesson is done (completion pending a rule)
    lesson_url: str
    completed_lessons: int
    lesson_total: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.completed_lessons / self.lesson_total)) if self.lesson_total else 0


def continue_learning_for(*, learner, request=None) -> ContinueLearning | None:
    """The active enrolment used most recently (last lesson visit, else enrolment time)
    in a live course, with its next lesson: the first live lesson, in course order, the
    learner has not completed (never locked, since every lesson before it is done).
    One query; None for anonymous visitors and learners with nothing in progress."""
    if not getattr(learner, "is_authenticated", False):
        return None
    lessons = LessonPage.objects.filter(live=True, path__startswith=OuterRef("course__path"))
    done = LessonProgress.objects.filter(
        learner=OuterRef(OuterRef("learner")), lesson=OuterRef("pk"), completed_at__isnull=False
    )
    next_lesson = lessons.filter(~Exists(done)).order_by("path")

    enrolment = (
        Enrolment.objects.filter(learner=learner, status=Enrolment.Status.ACTIVE, course__live=True)
        .select_related("course")
        .annotate(
            next_title=Subquery(next_lesson.values("title")[:1]),
            next_url_path=Subquery(next_lesson.values("url_path")[:1]),
            lesson_total=Coalesce(
                Subquery(_count(lessons), output_field=IntegerField()), 0
            ),
            completed_lessons=Coalesce(
                Subquery(_count(lessons.filter(Exists(done))), output_field=IntegerField()), 0
            ),
        )
        .order_by(F("last_visited_at").desc(nulls_last=True), "-enrolled_at", "-pk")
        .first()
    )
    if enrolment is None:
        return None
    course = enrolment.course
    course_url = page_url(url_path=course.url_path, request=request)
    return ContinueLearning(
        course=course,
        course_url=course_url,
        lesson_title=enrolment.next_title or "",
        lesson_url=page_url(url_path=enrolment.next_url_path, request=request)
        if enrolment.next_url_path
        else course_url,
        completed_lessons=enrolment.completed_lessons,
        lesson_total=enrolment.lesson_total,
    )
