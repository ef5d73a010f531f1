"""Reads for courses: course structure (cached), a learner's outline, the catalogue and
the dashboard. Each returns everything its page needs in a fixed number of queries,
whatever the size of the course or the number of enrolments.
"""

import datetime
import hashlib
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import (
    CharField,
    DateTimeField,
    F,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site

from assessments.quizzes.grading import grade_over_attempts
from assessments.quizzes.models import Attempt, Quiz, QuizDrawRule, QuizQuestion
from content.selectors import search_query_fold
from courses.models import (
    LENGTH_BAND_MINUTES,
    CourseCompletion,
    CourseIndexPage,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
)

STRUCTURE_CACHE_SECONDS = 60 * 60
_VERSION_KEY = "courses:structure:version"
_RESTRICTED_KEY = "courses:restricted-paths"


# --- cache versions (see courses.signals) -------------------------------------------------


def _version() -> int:
    version = cache.get(_VERSION_KEY)
    if version is None:
        version = int(time.time() * 1000)
        cache.set(_VERSION_KEY, version, None)
    return version


def course_structure_invalidate() -> None:
    """Forget every cached course structure (a page was published, moved, deleted…)."""
    cache.set(_VERSION_KEY, int(time.time() * 1000), None)


def restricted_paths() -> frozenset[str]:
    """Tree paths of the pages that carry a view restriction (cached; usually none)."""
    paths = cache.get(_RESTRICTED_KEY)
    if paths is None:
        paths = frozenset(PageViewRestriction.objects.values_list("page__path", flat=True))
        cache.set(_RESTRICTED_KEY, paths, STRUCTURE_CACHE_SECONDS)
    return paths


def public_only(queryset: QuerySet) -> QuerySet:
    """Like PageQuerySet.public(), without its query: restricted paths come from the cache."""
    for path in restricted_paths():
        queryset = queryset.exclude(path__startswith=path)
    return queryset


def restricted_paths_invalidate() -> None:
    cache.delete(_RESTRICTED_KEY)


# --- URLs without queries -----------------------------------------------------------------


def _ordered_root_paths(request) -> tuple[list, int | None]:
    """Wagtail's site roots, the request's own site first, longest path first; read from
    the cache once per request (a page of cards or an outline asks for many URLs)."""
    current_site_id = getattr(getattr(request, "_wagtail_site", None), "pk", None) if request else None
    memo = getattr(request, "_courses_root_paths", None) if request is not None else None
    if memo is not None and memo[1] == current_site_id:
        return memo
    if request is not None and hasattr(request, "_wagtail_cached_site_root_paths"):
        root_paths = request._wagtail_cached_site_root_paths
    else:
        root_paths = Site.get_site_root_paths()
        if request is not None:
            request._wagtail_cached_site_root_paths = root_paths
    ordered = sorted(root_paths, key=lambda r: (r.site_id != current_site_id, -len(r.root_path)))
    memo = (ordered, current_site_id)
    if request is not None:
        request._courses_root_paths = memo
    return memo


def page_url(*, url_path: str, request=None) -> str:
    """The address of a page from its url_path, using Wagtail's cached site roots."""
    root_paths, current_site_id = _ordered_root_paths(request)
    for root in root_paths:
        if url_path.startswith(root.root_path):
            tail = url_path[len(root.root_path) - 1 :]
            if len(root_paths) == 1 or root.site_id == current_site_id:
                return tail
            return root.root_url.rstrip("/") + tail
    return url_path


# --- Course structure ---------------------------------------------------------------------


@dataclass(frozen=True)
class LessonInfo:
    id: int
    title: str
    url_path: str
    duration_minutes: int
    required: bool
    module_id: int
    position: int  # 0-based, in course order


@dataclass(frozen=True)
class ModuleInfo:
    id: int
    title: str
    url_path: str
    lessons: tuple[LessonInfo, ...]

    @property
    def duration_minutes(self) -> int:
        return sum(lesson.duration_minutes for lesson in self.lessons)


@dataclass(frozen=True)
class CourseStructure:
    id: int
    title: str
    path: str
    url_path: str
    lock_lessons_in_order: bool
    certificate_awarded: bool
    modules: tuple[ModuleInfo, ...]

    @property
    def lessons(self) -> list[LessonInfo]:
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def duration_minutes(self) -> int:
        return sum(module.duration_minutes for module in self.modules)


def course_structure_build(course_path: str) -> CourseStructure | None:
    depth = len(course_path) // Page.steplen
    rows = (
        Page.objects.filter(path__startswith=course_path, depth__in=[depth, depth + 1, depth + 2], live=True)
        .order_by("path")
        .values(
            "id",
            "path",
            "depth",
            "title",
            "url_path",
            "coursepage__lock_lessons_in_order",
            "coursepage__certificate_awarded",
            "lessonpage__duration_minutes",
            "lessonpage__required",
        )
    )
    course_row, modules, current = None, [], None
    lessons_by_module: dict[int, list] = {}
    position = 0
    for row in rows:
        if row["depth"] == depth:
            course_row = row
        elif row["depth"] == depth + 1:
            current = row
            modules.append(row)
            lessons_by_module[row["id"]] = []
        elif (
            current is not None
            and row["path"].startswith(current["path"])
            and row["lessonpage__duration_minutes"] is not None
        ):
            lessons_by_module[current["id"]].append(
                LessonInfo(
                    id=row["id"],
                    title=row["title"],
                    url_path=row["url_path"],
                    duration_minutes=row["lessonpage__duration_minutes"],
                    required=row["lessonpage__required"],
                    module_id=current["id"],
                    position=position,
                )
            )
            position += 1
    if course_row is None or course_row["coursepage__lock_lessons_in_order"] is None:
        return None
    return CourseStructure(
        id=course_row["id"],
        title=course_row["title"],
        path=course_row["path"],
        url_path=course_row["url_path"],
        lock_lessons_in_order=course_row["coursepage__lock_lessons_in_order"],
        certificate_awarded=course_row["coursepage__certificate_awarded"],
        modules=tuple(
            ModuleInfo(
                id=m["id"],
                title=m["title"],
                url_path=m["url_path"],
                lessons=tuple(lessons_by_module[m["id"]]),
            )
            for m in modules
        ),
    )


def course_structure_get(*, course_path: str) -> CourseStructure | None:
    """The live modules and lessons of the course at `course_path`, in order.

    One query on a cache miss, none on a hit; invalidated whenever a page is published,
    unpublished, moved, renamed or deleted (courses.signals).
    """
    key = f"courses:structure:{_version()}:{course_path}"
    structure = cache.get(key)
    if structure is None:
        structure = course_structure_build(course_path)
        if structure is not None:
            cache.set(key, structure, STRUCTURE_CACHE_SECONDS)
    return structure


def course_path_of(page: Page) -> str:
    """The tree path of the course a course, module or lesson page belongs to."""
    depth = {CoursePage: 0, LessonPage: 2}.get(type(page), 1)
    return page.path[: len(page.path) - depth * page.steplen]


# --- A learner's outline ------------------------------------------------------------------


@dataclass
class LessonState:
    info: LessonInfo
    url: str
    completed: bool
    locked: bool

    @property
    def status(self) -> str:
        return "completed" if self.completed else ("locked" if self.locked else "open")


@dataclass
class ModuleState:
    info: ModuleInfo
    url: str
    lessons: list[LessonState]

    @property
    def completed_count(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.completed)


@dataclass
class CourseOutline:
    structure: CourseStructure
    url: str
    modules: list[ModuleState]
    lessons: list[LessonState] = field(default_factory=list)

    @property
    def completed_count(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.completed)

    @property
    def state_key(self) -> str:
        """A digest of which lessons are completed: with the structure's version it
        fixes every status and lock shown, so a rendered outline may be reused for the
        same state (it names no one)."""
        done = ",".join(str(lesson.info.id) for lesson in self.lessons if lesson.completed)
        return hashlib.sha256(done.encode()).hexdigest()[:24]

    @property
    def percent(self) -> int:
        return round(100 * self.completed_count / len(self.lessons)) if self.lessons else 0

    @property
    def all_required_done(self) -> bool:
        required = [lesson for lesson in self.lessons if lesson.info.required] or self.lessons
        return bool(required) and all(lesson.completed for lesson in required)

    @property
    def next_lesson(self) -> LessonState | None:
        """The first lesson not yet completed and open; the first lesson when all are done."""
        for lesson in self.lessons:
            if not lesson.completed and not lesson.locked:
                return lesson
        return self.lessons[0] if self.lessons and self.completed_count == len(self.lessons) else None

    def lesson_state(self, lesson_id: int) -> LessonState | None:
        return next((lesson for lesson in self.lessons if lesson.info.id == lesson_id), None)

    def neighbours(self, lesson_id: int) -> tuple[LessonState | None, LessonState | None]:
        ids = [lesson.info.id for lesson in self.lessons]
        if lesson_id not in ids:
            return None, None
        i = ids.index(lesson_id)
        return (
            self.lessons[i - 1] if i > 0 else None,
            self.lessons[i + 1] if i + 1 < len(self.lessons) else None,
        )


def completed_lesson_ids(*, learner, course_id: int) -> set[int]:
    """Ids of the lessons of the course that the learner completed (one query)."""
    if not getattr(learner, "is_authenticated", False):
        return set()
    return set(
        LessonProgress.objects.filter(
            learner=learner, course_id=course_id, completed_at__isnull=False
        ).values_list("lesson_id", flat=True)
    )


def outline_build(*, structure: CourseStructure, completed: set[int], request=None) -> CourseOutline:
    """Each lesson's status and lock state from the structure and the completed ids.

    Lock rule (when the course locks lessons in order): a lesson is locked while any
    required lesson before it is not completed. No queries.
    """
    blocked = False
    modules, flat = [], []
    for module in structure.modules:
        states = []
        for info in module.lessons:
            done = info.id in completed
            state = LessonState(
                info=info,
                url=page_url(url_path=info.url_path, request=request),
                completed=done,
                locked=structure.lock_lessons_in_order and blocked and not done,
            )
            if info.required and not done:
                blocked = True
            states.append(state)
            flat.append(state)
        modules.append(
            ModuleState(info=module, url=page_url(url_path=module.url_path, request=request), lessons=states)
        )
    return CourseOutline(
        structure=structure,
        url=page_url(url_path=structure.url_path, request=request),
        modules=modules,
        lessons=flat,
    )


def course_outline_for_learner(
    *, course: CoursePage | None = None, course_path: str | None = None, learner, request=None
) -> CourseOutline | None:
    """Modules and lessons of a course with each lesson's status and lock state for
    `learner` (anonymous: nothing completed). At most two queries: the structure (none
    when cached) and the learner's progress."""
    path = course.path if course is not None else course_path
    structure = course_structure_get(course_path=path)
    if structure is None:
        return None
    completed = completed_lesson_ids(learner=learner, course_id=structure.id)
    return outline_build(structure=structure, completed=completed, request=request)


@dataclass(frozen=True)
class LearnerCourseState:
    """A learner's current enrolment in a course (only the fields the course and lesson
    pages read) and the ids of the lessons they completed there."""

    enrolment: Enrolment | None
    completed: frozenset[int]


def learner_course_state(*, learner, course_id: int) -> LearnerCourseState:
    """The learner's current (active or completed) enrolment in the course and their
    completed lessons, in one query (a UNION ALL of both reads); nothing for an anonymous
    visitor. Completed lessons count whether or not the learner is enrolled now (an
    unenrolled learner keeps their progress)."""
    if not getattr(learner, "is_authenticated", False):
        return LearnerCourseState(enrolment=None, completed=frozenset())
    none_text, none_time, none_int = (Value(None, output_field=f) for f in (CharField(), DateTimeField(),
                                                                            IntegerField()))
    enrolments = Enrolment.objects.filter(
        learner=learner, course_id=course_id, status__in=Enrolment.CURRENT
    ).values_list(Value(0, output_field=IntegerField()), "id", "status", "completed_at", "last_lesson_id",
                  "last_visited_at")
    completed = LessonProgress.objects.filter(
        learner=learner, course_id=course_id, completed_at__isnull=False
    ).values_list(
        Value(1, output_field=IntegerField()), "lesson_id", none_text, none_time, none_int, none_time
    )
    enrolment, done = None, set()
    rows = enrolments.union(completed, all=True)
    for kind, pk, status, completed_at, last_lesson_id, last_visited_at in rows:
        if kind == 1:
            done.add(pk)
        elif enrolment is None or pk < enrolment.pk:  # one at most (a constraint); as .first()
            enrolment = Enrolment(
                pk=pk, learner_id=learner.pk, course_id=course_id, status=status, completed_at=completed_at,
                last_lesson_id=last_lesson_id, last_visited_at=last_visited_at,
            )
    return LearnerCourseState(enrolment=enrolment, completed=frozenset(done))


def enrolment_current(*, learner, course_id: int) -> Enrolment | None:
    """The learner's active or completed enrolment in the course, if any."""
    if not getattr(learner, "is_authenticated", False):
        return None
    return Enrolment.objects.filter(
        learner=learner, course_id=course_id, status__in=Enrolment.CURRENT
    ).first()


# --- Catalogue ----------------------------------------------------------------------------


def _count_subquery(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _lesson_total(outer_path: str) -> Coalesce:
    return _count_subquery(LessonPage.objects.filter(live=True, path__startswith=OuterRef(outer_path)))


def courses_catalogue(
    *,
    index: CourseIndexPage | None = None,
    learner=None,
    query: str = "",
    topic: str = "",
    audience: str = "",
    level: str = "",
    area: str = "",
    length: str = "",
) -> QuerySet[CoursePage]:
    """Live, public courses (under `index` when given) matching every filter, each
    annotated with `learner_count` and, for a signed-in learner, `my_status`,
    `my_completed` and `lesson_total`. One query, whatever the number of enrolments.

    `query` is folded and every word must appear (accent-insensitive); `area` is a
    competence area number ("1" matches digcomp-2.2:1.3); `length` a LengthBand.
    """
    courses = public_only(CoursePage.objects.live())
    if index is not None:
        courses = courses.child_of(index)
    for word in search_query_fold(query=query).split():
        courses = courses.filter(search_folded__contains=word)
    if topic:
        courses = courses.filter(topic=topic)
    if level:
        courses = courses.filter(level=level)
    if audience:
        flag = {
            "citizen": "for_citizens",
            "civil_servant": "for_civil_servants",
            "team_member": "for_team_members",
        }.get(audience)
        courses = courses.filter(**{flag: True}) if flag else courses.none()
    if area:
        courses = courses.filter(competences__contains=f":{area}.")
    if length:
        low, high = LENGTH_BAND_MINUTES[length]
        courses = courses.filter(duration_minutes__gte=low)
        if high is not None:
            courses = courses.filter(duration_minutes__lte=high)
    courses = courses.annotate(
        learner_count=_count_subquery(
            Enrolment.objects.filter(course=OuterRef("pk"), status__in=Enrolment.CURRENT)
        )
    )
    if getattr(learner, "is_authenticated", False):
        courses = courses.annotate(
            my_status=Subquery(
                Enrolment.objects.filter(
                    course=OuterRef("pk"), learner=learner, status__in=Enrolment.CURRENT
                ).values("status")[:1]
            ),
            my_completed=_count_subquery(
                LessonProgress.objects.filter(
                    course=OuterRef("pk"), learner=learner, completed_at__isnull=False
                )
            ),
            lesson_total=_lesson_total("path"),
        )
    return courses.order_by("path")


CATALOGUE_IDS_SECONDS = 10 * 60


def catalogue_course_ids(*, index: CourseIndexPage, generation: int | None, **filters) -> list[int]:
    """Ids of the live, public courses under `index` matching the filters, in catalogue
    order (courses_catalogue). Cached per filter set under the page-cache generation
    (courses.cache), so a publish, move or deletion shows at once; one small query on
    a miss."""
    digest = hashlib.sha256(repr(sorted(filters.items())).encode()).hexdigest()[:32]
    key = f"courses:catalogue-ids:{generation}:{index.pk}:{digest}"
    ids = cache.get(key) if generation is not None else None
    if ids is None:
        ids = list(courses_catalogue(index=index, **filters).values_list("pk", flat=True))
        if generation is not None:
            cache.set(key, ids, CATALOGUE_IDS_SECONDS)
    return ids


def catalogue_cards_courses(*, course_ids: list[int]) -> list[CoursePage]:
    """The courses a catalogue card shows, with `learner_count` and `lesson_total` (live
    lessons) (one query)."""
    return list(
        CoursePage.objects.filter(pk__in=course_ids)
        .only("id", "title", "url_path", "summary", "topic", "level", "duration_minutes")
        .annotate(
            learner_count=_count_subquery(
                Enrolment.objects.filter(course=OuterRef("pk"), status__in=Enrolment.CURRENT)
            ),
            lesson_total=_lesson_total("path"),
        )
    )


def catalogue_learner_states(*, learner, course_ids: list[int]) -> dict[int, tuple[str, int]]:
    """The learner's (status, lessons completed) for each of `course_ids` they are
    enrolled in; one query (a UNION ALL of their enrolments and completed lessons),
    nothing for an anonymous visitor. The lessons in each course are shared data, cached
    with the catalogue's cards (courses.views.catalogue_cards)."""
    if not course_ids or not getattr(learner, "is_authenticated", False):
        return {}
    enrolments = Enrolment.objects.filter(
        learner=learner, course_id__in=course_ids, status__in=Enrolment.CURRENT
    ).values_list("course_id", "status")
    completed = LessonProgress.objects.filter(
        learner=learner, course_id__in=course_ids, completed_at__isnull=False
    ).values_list("course_id", Value(None, output_field=CharField()))
    statuses: dict[int, str] = {}
    done: dict[int, int] = {}
    for course_id, status in enrolments.union(completed, all=True):
        if status is None:
            done[course_id] = done.get(course_id, 0) + 1
        else:
            statuses[course_id] = status
    return {course_id: (status, done.get(course_id, 0)) for course_id, status in statuses.items()}


# --- Dashboard ----------------------------------------------------------------------------


@dataclass
class DashboardItem:
    enrolment: Enrolment
    course: CoursePage
    completed_lessons: int
    lesson_total: int
    seconds_spent: int
    continue_url: str

    @property
    def percent(self) -> int:
        if self.enrolment.status == Enrolment.Status.COMPLETED:
            return 100
        return min(100, round(100 * self.completed_lessons / self.lesson_total)) if self.lesson_total else 0


def courses_for_learner(*, learner, request=None) -> list[DashboardItem]:
    """The learner's current enrolments (active and completed), most recently used
    first, with lessons done, lesson count, time spent and where to continue. One query."""
    if not getattr(learner, "is_authenticated", False):
        return []
    progress = LessonProgress.objects.filter(learner=OuterRef("learner"), course=OuterRef("course"))
    seconds = progress.order_by().annotate(s=Func(F("seconds_spent"), function="SUM")).values("s")
    enrolments = (
        Enrolment.objects.filter(learner=learner, status__in=Enrolment.CURRENT)
        .select_related("course", "last_lesson")
        .annotate(
            completed_lessons=_count_subquery(progress.filter(completed_at__isnull=False)),
            lesson_total=_lesson_total("course__path"),
            seconds=Coalesce(Subquery(seconds, output_field=IntegerField()), Value(0)),
        )
        .order_by(F("last_visited_at").desc(nulls_last=True), "-enrolled_at")
    )
    items = []
    for enrolment in enrolments:
        course = enrolment.course
        last = enrolment.last_lesson if enrolment.last_lesson and enrolment.last_lesson.live else None
        target = last.url_path if last is not None else course.url_path
        items.append(
            DashboardItem(
                enrolment=enrolment,
                course=course,
                completed_lessons=enrolment.completed_lessons,
                lesson_total=enrolment.lesson_total,
                seconds_spent=enrolment.seconds,
                continue_url=page_url(url_path=target, request=request),
            )
        )
    return items


def learner_totals(*, items: list[DashboardItem]) -> dict:
    """Counts and time for the dashboard's summary line (no queries)."""
    completed = [i for i in items if i.enrolment.status == Enrolment.Status.COMPLETED]
    return {
        "enrolled": len(items),
        "in_progress": len(items) - len(completed),
        "completed": len(completed),
        "seconds_spent": sum(i.seconds_spent for i in items),
    }


def course_completion_get(*, learner, course_id: int) -> CourseCompletion | None:
    return CourseCompletion.objects.filter(learner=learner, course_id=course_id).first()


# --- Quizzes in lessons and the final test ------------------------------------------------


@dataclass(frozen=True)
class QuizState:
    """What a lesson's quiz block or the course's final test shows to one learner."""

    quiz_id: int
    title: str
    description: str
    question_count: int
    pass_mark_percent: Decimal
    max_attempts: int | None
    time_limit_minutes: int | None
    is_available: bool  # active and open now
    attempts_used: int = 0
    in_progress_id: int | None = None
    last_graded_id: int | None = None
    grade_percent: Decimal | None = None
    passed: bool = False

    @property
    def attempts_left(self) -> int | None:
        return None if self.max_attempts is None else max(0, self.max_attempts - self.attempts_used)

    @property
    def can_start(self) -> bool:
        left = self.attempts_left
        return self.in_progress_id is not None or (self.is_available and (left is None or left > 0))

    @property
    def action(self) -> str:
        """"continue" an attempt in progress, "review" a graded one once passed or out
        of attempts, "start" a (new) attempt, or "" when nothing can be done."""
        if self.in_progress_id is not None:
            return "continue"
        if self.last_graded_id is not None and (self.passed or not self.can_start):
            return "review"
        return "start" if self.can_start else ""


def grade_from_attempts(*, grade_method: str, percents: list[Decimal]) -> Decimal | None:
    """A learner's grade from their graded attempts' percentages, in attempt order, for
    many quizzes read in one query: the quiz engine's one rule
    (assessments.quizzes.grading.grade_over_attempts — highest, last, or the mean
    rounded half-up to 0.01), also behind quiz_grade_for_learner."""
    return grade_over_attempts(method=grade_method, percents=percents)


QUIZ_CACHE_SECONDS = 60 * 60


def _quiz_facts_key(quiz_id: int) -> str:
    return f"courses:quiz-facts:{quiz_id}"


def _quiz_attempts_key(learner_id: int, quiz_id: int) -> str:
    return f"courses:quiz-attempts:{learner_id}:{quiz_id}"


def quiz_facts_invalidate(*, quiz_id: int) -> None:
    """Forget a quiz's cached title, settings and question count (it was edited)."""
    cache.delete(_quiz_facts_key(quiz_id))


def quiz_attempts_invalidate(*, learner_id: int, quiz_id: int) -> None:
    """Forget a learner's cached attempts at a quiz (one was started or graded)."""
    cache.delete(_quiz_attempts_key(learner_id, quiz_id))


def _quiz_facts(ids: list[int]) -> dict[int, dict]:
    """Title, settings and question count of each quiz; cached, one query for the misses.
    A quiz that does not exist is remembered as {"missing": True}."""
    cached = cache.get_many([_quiz_facts_key(pk) for pk in ids])
    facts = {pk: cached[_quiz_facts_key(pk)] for pk in ids if _quiz_facts_key(pk) in cached}
    misses = [pk for pk in ids if pk not in facts]
    if misses:
        drawn = (
            QuizDrawRule.objects.filter(quiz=OuterRef("pk"))
            .order_by()
            .annotate(n=Func(F("count"), function="SUM"))
            .values("n")
        )
        rows = (
            Quiz.objects.filter(pk__in=misses)
            .annotate(
                fixed_count=_count_subquery(QuizQuestion.objects.filter(quiz=OuterRef("pk"))),
                drawn_count=Coalesce(Subquery(drawn, output_field=IntegerField()), Value(0)),
            )
            .values(
                "id", "title", "description", "pass_mark_percent", "max_attempts", "time_limit_seconds",
                "grade_method", "is_active", "opens_at", "closes_at", "fixed_count", "drawn_count",
            )
        )
        fresh = {row["id"]: row for row in rows}
        for pk in misses:
            facts[pk] = fresh.get(pk, {"missing": True})
        cache.set_many({_quiz_facts_key(pk): facts[pk] for pk in misses}, QUIZ_CACHE_SECONDS)
    return facts


def _learner_attempts(learner_id: int, ids: list[int]) -> dict[int, list[tuple]]:
    """The learner's attempts at each quiz as (id, state, score, max_score), in attempt
    order; cached per learner and quiz, one query for the misses."""
    keys = {pk: _quiz_attempts_key(learner_id, pk) for pk in ids}
    cached = cache.get_many(list(keys.values()))
    found = {pk: cached[key] for pk, key in keys.items() if key in cached}
    misses = [pk for pk in ids if pk not in found]
    if misses:
        fresh: dict[int, list[tuple]] = {pk: [] for pk in misses}
        rows = (
            Attempt.objects.filter(quiz_id__in=misses, learner_id=learner_id)
            .order_by("quiz_id", "number")
            .values_list("quiz_id", "id", "state", "score", "max_score")
        )
        for quiz_id, *attempt in rows:
            fresh[quiz_id].append(tuple(attempt))
        cache.set_many({keys[pk]: fresh[pk] for pk in misses}, QUIZ_CACHE_SECONDS)
        found.update(fresh)
    return found


def _percent(score: Decimal | None, max_score: Decimal) -> Decimal:
    # As Attempt.percent: score / max_score in percent, to 0.01 (0 when not graded).
    if score is None or not max_score:
        return Decimal("0")
    return (score * 100 / max_score).quantize(Decimal("0.01"))


def quiz_states_for_learner(
    *, quiz_ids: list[int], learner, now: datetime.datetime | None = None
) -> dict[int, QuizState]:
    """The state of each quiz in `quiz_ids` for `learner` (anonymous: no attempts), by
    quiz id; quizzes that do not exist are left out.

    Budget: no query when cached, at most two otherwise whatever the number of quizzes:
    the quizzes' facts (title, settings, fixed questions plus each draw rule's count),
    cached per quiz and forgotten when a quiz, its questions or its draw rules change;
    and the learner's attempts, cached per learner and quiz and forgotten whenever one
    of them is saved (courses.final_test connects both). An attempt in progress past
    its deadline still counts as in progress here; the quiz's own pages grade it."""
    ids = sorted({int(pk) for pk in quiz_ids if pk})
    if not ids:
        return {}
    now = now or timezone.now()
    facts = {pk: f for pk, f in _quiz_facts(ids).items() if not f.get("missing")}
    attempts: dict[int, list[tuple]] = {}
    if facts and getattr(learner, "is_authenticated", False):
        attempts = _learner_attempts(learner.pk, sorted(facts))
    states = {}
    for pk, quiz in facts.items():
        mine = attempts.get(pk, [])
        graded = [a for a in mine if a[1] in Attempt.GRADED_STATES]
        grade = grade_from_attempts(
            grade_method=quiz["grade_method"], percents=[_percent(a[2], a[3]) for a in graded]
        )
        in_progress = next((a for a in mine if a[1] == Attempt.State.IN_PROGRESS), None)
        limit = quiz["time_limit_seconds"]
        states[pk] = QuizState(
            quiz_id=pk,
            title=quiz["title"],
            description=quiz["description"],
            question_count=quiz["fixed_count"] + quiz["drawn_count"],
            pass_mark_percent=quiz["pass_mark_percent"],
            max_attempts=quiz["max_attempts"],
            time_limit_minutes=(limit + 59) // 60 if limit else None,
            is_available=quiz["is_active"]
            and (quiz["opens_at"] is None or now >= quiz["opens_at"])
            and (quiz["closes_at"] is None or now < quiz["closes_at"]),
            attempts_used=len(mine),
            in_progress_id=in_progress[0] if in_progress else None,
            last_graded_id=graded[-1][0] if graded else None,
            grade_percent=grade,
            passed=grade is not None and grade >= quiz["pass_mark_percent"],
        )
    return states


def lesson_quiz_ids(*, lesson: LessonPage) -> list[int]:
    """Ids of the quizzes in the lesson's quiz blocks, in order (no queries)."""
    # The stored JSON, not the StreamField's blocks: converting every block (rich text,
    # images) only to find the quizzes cost more than the rest of the lesson's context.
    ids = []
    for block in lesson.body.raw_data:
        value = block.get("value") if block.get("type") == "quiz" else None
        if isinstance(value, dict) and value.get("quiz_id"):
            ids.append(value["quiz_id"])
    return ids
