"""JSON API for the mobile app: catalogue, course detail, enrol, progress, my courses.

Mounted at /api/v1/courses (lms/api.py). Reading the catalogue and a course needs no
login (a signed-in caller also gets their own progress); the rest needs a token or the
session. Errors are JSON ``{"detail", "code", "errors"}`` (lms.core.errors).
"""

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from pydantic import ValidationError as PydanticValidationError

from courses import selectors, services
from courses.models import Audience, CoursePage, Enrolment, LengthBand, LessonPage, Level, Topic

router = Router(tags=["courses"])


class CatalogueFilters(Schema):
    q: str = Field("", max_length=200, description="Tìm không phân biệt dấu: “vneid”, “thanh toan”.")
    topic: Topic | None = None
    audience: Audience | None = None
    level: Level | None = None
    area: str | None = Field(None, pattern=r"^[1-9]$", description="Lĩnh vực năng lực (1–5)")
    length: LengthBand | None = None


class CourseCard(Schema):
    id: int
    slug: str
    title: str
    summary: str
    topic: str
    level: str
    audiences: list[str]
    duration_minutes: int
    certificate_awarded: bool
    learner_count: int
    url: str
    my_status: str | None = None
    my_percent: int | None = None


class LessonOut(Schema):
    id: int
    title: str
    url: str
    duration_minutes: int
    required: bool
    status: str  # open, locked, completed


class ModuleOut(Schema):
    id: int
    title: str
    lessons: list[LessonOut]


class EnrolmentOut(Schema):
    id: int
    course_id: int
    status: str
    enrolled_at: datetime.datetime
    completed_at: datetime.datetime | None


class CourseDetail(Schema):
    id: int
    slug: str
    title: str
    summary: str
    what_you_will_learn: list[str]
    audiences: list[str]
    topic: str
    level: str
    competences: list[str]
    duration_minutes: int
    prerequisites: str
    certificate_awarded: bool
    pacing: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    enrolment_opens_on: datetime.date | None
    enrolment_closes_on: datetime.date | None
    lock_lessons_in_order: bool
    url: str
    modules: list[ModuleOut]
    enrolment: EnrolmentOut | None
    percent: int | None


class CompleteIn(Schema):
    seconds: int | None = Field(None, ge=0, le=86_400, description="Thời gian học bài, nếu ứng dụng đo được")


class ProgressOut(Schema):
    lesson_id: int
    course_id: int
    completed_at: datetime.datetime
    seconds_spent: int
    course_completed: bool


class MyCourse(Schema):
    course_id: int
    title: str
    status: str
    percent: int
    completed_lessons: int
    lesson_total: int
    seconds_spent: int
    continue_url: str
    completed_at: datetime.datetime | None


def _user(request):
    # request.user, not request.auth: with a bearer token, request.auth is the APIToken
    # (lms.core.auth sets request.user to its owner); with the session, the user.
    user = request.user
    return user if getattr(user, "is_authenticated", False) else None


def _enrolment_out(enrolment: Enrolment | None) -> dict | None:
    if enrolment is None:
        return None
    return {
        "id": enrolment.pk,
        "course_id": enrolment.course_id,
        "status": enrolment.status,
        "enrolled_at": enrolment.enrolled_at,
        "completed_at": enrolment.completed_at,
    }


@router.get("/", response=list[CourseCard], auth=None, summary="Danh mục khoá học")
@paginate(PageNumberPagination, page_size=20)
def catalogue(request, filters: Query[CatalogueFilters]):
    learner = request.user
    courses = selectors.courses_catalogue(
        learner=learner,
        query=filters.q,
        topic=filters.topic or "",
        audience=filters.audience or "",
        level=filters.level or "",
        area=filters.area or "",
        length=filters.length or "",
    )
    return _Cards(courses, request)


class _Cards:
    """Turns the paginated slice of courses into cards (pagination slices this)."""

    def __init__(self, queryset, request):
        self.queryset, self.request = queryset, request

    def __len__(self):
        return self.queryset.count()

    def count(self):
        return self.queryset.count()

    def __getitem__(self, item):
        return [self._card(course) for course in self.queryset[item]]

    def _card(self, course: CoursePage) -> dict:
        status = getattr(course, "my_status", None)
        total = getattr(course, "lesson_total", 0)
        percent = None
        if status:
            percent = (
                100
                if status == "completed"
                else (min(100, round(100 * course.my_completed / total)) if total else 0)
            )
        return {
            "id": course.pk,
            "slug": course.slug,
            "title": course.title,
            "summary": course.summary,
            "topic": course.topic,
            "level": course.level,
            "audiences": course.audiences,
            "duration_minutes": course.duration_minutes,
            "certificate_awarded": course.certificate_awarded,
            "learner_count": course.learner_count,
            "url": selectors.page_url(url_path=course.url_path, request=self.request),
            "my_status": status,
            "my_percent": percent,
        }


def _course_or_404(course_id: int) -> CoursePage:
    return get_object_or_404(selectors.public_only(CoursePage.objects.live()), pk=course_id)


@router.get("/mine", response=list[MyCourse], summary="Khoá học của tôi")
def my_courses(request):
    items = selectors.courses_for_learner(learner=_user(request), request=request)
    return [
        {
            "course_id": i.course.pk,
            "title": i.course.title,
            "status": i.enrolment.status,
            "percent": i.percent,
            "completed_lessons": i.completed_lessons,
            "lesson_total": i.lesson_total,
            "seconds_spent": i.seconds_spent,
            "continue_url": i.continue_url,
            "completed_at": i.enrolment.completed_at,
        }
        for i in items
    ]


@router.get("/{int:course_id}", response=CourseDetail, auth=None, summary="Chi tiết khoá học")
def course_detail(request, course_id: int):
    course = _course_or_404(course_id)
    learner = request.user
    outline = selectors.course_outline_for_learner(course=course, learner=learner, request=request)
    enrolment = selectors.enrolment_current(learner=learner, course_id=course.pk)
    modules = [
        {
            "id": m.info.id,
            "title": m.info.title,
            "lessons": [
                {
                    "id": ls.info.id,
                    "title": ls.info.title,
                    "url": ls.url,
                    "duration_minutes": ls.info.duration_minutes,
                    "required": ls.info.required,
                    "status": ls.status,
                }
                for ls in m.lessons
            ],
        }
        for m in (outline.modules if outline else [])
    ]
    return {
        "id": course.pk,
        "slug": course.slug,
        "title": course.title,
        "summary": course.summary,
        "what_you_will_learn": course.outcomes,
        "audiences": course.audiences,
        "topic": course.topic,
        "level": course.level,
        "competences": course.competence_codes,
        "duration_minutes": course.duration_minutes,
        "prerequisites": course.prerequisites,
        "certificate_awarded": course.certificate_awarded,
        "pacing": course.pacing,
        "starts_on": course.starts_on,
        "ends_on": course.ends_on,
        "enrolment_opens_on": course.enrolment_opens_on,
        "enrolment_closes_on": course.enrolment_closes_on,
        "lock_lessons_in_order": course.lock_lessons_in_order,
        "url": selectors.page_url(url_path=course.url_path, request=request),
        "modules": modules,
        "enrolment": _enrolment_out(enrolment),
        "percent": outline.percent if (outline and enrolment) else None,
    }


@router.post("/{int:course_id}/enrolment", response={201: EnrolmentOut}, summary="Đăng ký khoá học")
def enrol(request, course_id: int):
    course = _course_or_404(course_id)
    try:
        enrolment = services.enrolment_create(learner=_user(request), course=course)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "duplicate":
            raise HttpError(409, " ".join(exc.messages)) from exc
        raise
    return 201, _enrolment_out(enrolment)


@router.delete("/{int:course_id}/enrolment", response=EnrolmentOut, summary="Huỷ đăng ký khoá học")
def unenrol(request, course_id: int):
    course = get_object_or_404(CoursePage, pk=course_id)
    return _enrolment_out(services.enrolment_cancel(learner=_user(request), course=course))


def _complete_payload(request) -> CompleteIn:
    """The optional JSON body of "complete": an app may post nothing at all."""
    if not request.body.strip():
        return CompleteIn()
    try:
        return CompleteIn.model_validate_json(request.body)
    except PydanticValidationError as exc:
        raise HttpError(422, _("Dữ liệu gửi lên không hợp lệ: seconds là số giây từ 0 đến 86400.")) from exc


@router.post(
    "/lessons/{int:lesson_id}/complete",
    response=ProgressOut,
    summary="Đánh dấu đã học xong bài",
    description="Thân JSON tuỳ chọn: {\"seconds\": 300}. Gọi lại nhiều lần vẫn an toàn.",
    openapi_extra={"requestBody": {"required": False, "content": {"application/json": {
        "schema": CompleteIn.model_json_schema()}}}},
)
def lesson_complete(request, lesson_id: int):
    payload = _complete_payload(request)
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    learner = _user(request)
    try:
        progress = services.lesson_complete(
            learner=learner, lesson=lesson, seconds=payload.seconds
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) in ("not_enrolled", "locked"):
            raise HttpError(403, " ".join(exc.messages)) from exc
        raise
    completed = selectors.course_completion_get(learner=learner, course_id=progress.course_id) is not None
    return {
        "lesson_id": lesson.pk,
        "course_id": progress.course_id,
        "completed_at": progress.completed_at,
        "seconds_spent": progress.seconds_spent,
        "course_completed": completed,
    }
