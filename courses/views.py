"""Learner pages and actions. Views parse and check, then call one service or selector.

Pages served by Wagtail (catalogue, course, module, lesson) get their context from the
`*_context` functions here; the actions under /hoc-tap/ are POST forms that work
without JavaScript and redirect back with a message.
"""

import functools
import hashlib

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from content.selectors import SEARCH_QUERY_MAX_LENGTH
from courses import selectors, services
from courses.blocks import HEAVY_BLOCK_TYPES
from courses.cache import page_cache_generation
from courses.models import (
    Audience,
    CourseIndexPage,
    CoursePage,
    LengthBand,
    LessonPage,
    Level,
    ModulePage,
    Topic,
)
from lms import audit
from lms.accounts.models import Role
from lms.accounts.selectors import user_has_role
from lms.core.replicas import use_replica

COURSES_PER_PAGE = 12
LOW_DATA_COOKIE = "low_data"
LOW_DATA_MAX_AGE = 365 * 24 * 60 * 60

COMPETENCE_AREAS = [
    ("1", gettext_lazy("Thông tin và dữ liệu")),
    ("2", gettext_lazy("Giao tiếp và hợp tác")),
    ("3", gettext_lazy("Sáng tạo nội dung số")),
    ("4", gettext_lazy("An toàn")),
    ("5", gettext_lazy("Giải quyết vấn đề")),
]


def _with_any(choices, label):
    return [("", label), *choices]


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Tìm khoá học"),
        required=False,
        max_length=SEARCH_QUERY_MAX_LENGTH,
        error_messages={"max_length": gettext_lazy("Từ khoá quá dài: tối đa %(limit_value)d ký tự.")},
    )
    topic = forms.ChoiceField(
        label=gettext_lazy("Chủ đề"),
        required=False,
        choices=_with_any(Topic.choices, gettext_lazy("Mọi chủ đề")),
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("Dành cho"),
        required=False,
        choices=_with_any(Audience.choices, gettext_lazy("Mọi người")),
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Trình độ"),
        required=False,
        choices=_with_any(Level.choices, gettext_lazy("Mọi trình độ")),
    )
    area = forms.ChoiceField(
        label=gettext_lazy("Lĩnh vực năng lực"),
        required=False,
        choices=_with_any(COMPETENCE_AREAS, gettext_lazy("Mọi lĩnh vực")),
    )
    length = forms.ChoiceField(
        label=gettext_lazy("Thời lượng"),
        required=False,
        choices=_with_any(LengthBand.choices, gettext_lazy("Mọi thời lượng")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = _(
                    "Lựa chọn không hợp lệ; hãy chọn lại trong danh sách."
                )


def is_low_data(request: HttpRequest) -> bool:
    return request.COOKIES.get(LOW_DATA_COOKIE) == "1"


# --- Wagtail page contexts ------------------------------------------------------------------


def catalogue_context(*, request: HttpRequest, index: CourseIndexPage) -> dict:
    """The catalogue's filters, one page of cards and the learner's own progress on them.

    Shared parts are cached under the page-cache generation (forgotten on any publish,
    move or delete, courses.cache): the list of matching course ids per filter set, each
    card's HTML (topic, title, summary, length, level, learners) with its number of
    lessons, and the filter form's HTML per query string. What belongs to the learner
    (status and lessons done per card) is read per request in one query and never
    cached with them.
    """
    form = CatalogueFilterForm(request.GET or None)
    filters: dict = {}
    if form.is_bound and form.is_valid():
        filters = {name: value for name, value in form.cleaned_data.items() if value}
    elif form.is_bound:
        return {"form": form, "filters_invalid": True, "courses_page": None, "cards": [], "filtering": True}
    query = filters.pop("q", "")
    generation = page_cache_generation(request)
    ids = selectors.catalogue_course_ids(index=index, generation=generation, query=query, **filters)
    courses_page = Paginator(ids, COURSES_PER_PAGE).get_page(request.GET.get("page"))
    page_ids = list(courses_page.object_list)
    shared = catalogue_cards(course_ids=page_ids, request=request, generation=generation)
    states = selectors.catalogue_learner_states(learner=request.user, course_ids=page_ids)
    cards = []
    for course_id in page_ids:
        if course_id not in shared:
            continue  # unpublished since the id list was cached: the next generation drops it
        html, total = shared[course_id]
        status, done = states.get(course_id, (None, 0))
        percent = 0
        if status == "completed":
            percent = 100
        elif status and total:
            percent = min(100, round(100 * done / total))
        cards.append({"id": course_id, "html": html, "status": status, "percent": percent})
    params = request.GET.copy()
    params.pop("page", None)
    filtering = bool(query or filters)
    return {
        "form": form,
        "filters_html": _filters_html(request=request, index=index, form=form, filtering=filtering,
                                      params=params.urlencode()),
        "courses_page": courses_page,
        "cards": cards,
        "query": query,
        "filtering": filtering,
        "page_query": params.urlencode(),
    }


CATALOGUE_FRAGMENT_SECONDS = 10 * 60


def catalogue_cards(
    *, course_ids: list[int], request: HttpRequest, generation: int | None
) -> dict[int, tuple[str, int]]:
    """Each course's card HTML (the part every visitor sees) and number of live lessons,
    by id: one cache read for the page of cards, one query and a render for those not
    cached yet."""
    language = get_language()
    keys = {pk: f"courses:card-v2:{generation}:{language}:{pk}" for pk in course_ids}
    found: dict = {}
    if generation is not None and keys:
        cached = cache.get_many(list(keys.values()))
        found = {pk: cached[key] for pk, key in keys.items() if key in cached}
    misses = [pk for pk in course_ids if pk not in found]
    if misses:
        fresh = {
            course.pk: (
                render_to_string(
                    "courses/includes/course_card.html",
                    {"course": course, "url": selectors.page_url(url_path=course.url_path, request=request)},
                ),
                course.lesson_total,
            )
            for course in selectors.catalogue_cards_courses(course_ids=misses)
        }
        if generation is not None and fresh:
            cache.set_many({keys[pk]: value for pk, value in fresh.items()}, CATALOGUE_FRAGMENT_SECONDS)
        found.update(fresh)
    return found


def _filters_html(*, request: HttpRequest, index: CourseIndexPage, form, filtering: bool, params: str) -> str:
    """The search and filter form, rendered once per language and query string (under
    the page-cache generation: the form's address is the catalogue's)."""
    digest = hashlib.sha256(params.encode()).hexdigest()[:32]
    generation = page_cache_generation(request)
    key = f"courses:catalogue-form:{generation}:{index.pk}:{get_language()}:{digest}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("courses/includes/catalogue_filters.html",
                                {"form": form, "filtering": filtering, "page": index})
        cache.set(key, html, CATALOGUE_FRAGMENT_SECONDS)
    return html


def course_context(*, request: HttpRequest, course: CoursePage) -> dict:
    structure = selectors.course_structure_get(course_path=course.path)
    mine = selectors.learner_course_state(learner=request.user, course_id=course.pk)
    outline = (
        selectors.outline_build(structure=structure, completed=mine.completed, request=request)
        if structure is not None
        else None
    )
    enrolment = mine.enrolment
    return {
        "outline": outline,
        "enrolment": enrolment,
        "fragment_generation": page_cache_generation(request),
        "fragment_language": get_language(),
        "window_error": services.enrolment_window_error(course=course) if enrolment is None else "",
        "login_url": _login_url(request, course.url),
        "catalogue_url": selectors.page_url(
            url_path=course.url_path.rsplit("/", 2)[0] + "/", request=request
        ),
    }


def module_context(*, request: HttpRequest, module: ModulePage) -> dict:
    outline = selectors.course_outline_for_learner(
        course_path=selectors.course_path_of(module), learner=request.user, request=request
    )
    module_state = next((m for m in outline.modules if m.info.id == module.pk), None) if outline else None
    return {"outline": outline, "module_state": module_state}


def lesson_serve(*, request: HttpRequest, lesson: LessonPage, serve, args, kwargs) -> HttpResponse:
    """The lesson page: records the visit, shows progress and neighbours, enforces the
    lock-in-order rule (403 with a way forward), drops heavy media in low-data mode."""
    if request.method not in ("GET", "HEAD"):
        return serve(request, *args, **kwargs)
    course_path = selectors.course_path_of(lesson)
    structure = selectors.course_structure_get(course_path=course_path)
    previewing = getattr(request, "is_preview", False)
    enrolled = False
    completed: frozenset[int] = frozenset()
    if structure is not None and not previewing:
        # One read of the learner's enrolment and progress; the visit is written at
        # most every few minutes per lesson (services.VISIT_RECORD_SECONDS).
        mine = selectors.learner_course_state(learner=request.user, course_id=structure.id)
        enrolled = services.lesson_visit_throttled(enrolment=mine.enrolment, lesson=lesson)
        completed = mine.completed if enrolled else frozenset()
    outline = (
        selectors.outline_build(structure=structure, completed=completed, request=request)
        if structure is not None
        else None
    )
    state = outline.lesson_state(lesson.pk) if outline else None
    previous, following = outline.neighbours(lesson.pk) if outline else (None, None)
    low_data = is_low_data(request)
    context = lesson.get_context(request, *args, **kwargs)
    context.update(
        {
            "outline": outline,
            "state": state,
            "enrolled": enrolled,
            "previous": previous,
            "next": following,
            "low_data": low_data,
            # Called by the template only when the body is not cached (a callable is
            # resolved lazily): converting the StreamField's blocks is costly.
            "blocks": functools.partial(lesson.body_for, low_data=low_data),
            # The body is the same for everyone unless a quiz block shows the learner's state.
            "body_cacheable": not any(block.get("type") == "quiz" for block in lesson.body.raw_data),
            "fragment_generation": page_cache_generation(request),
            "fragment_language": get_language(),
            "dropped_blocks": 0 if not low_data else sum(
                1 for block in lesson.body.raw_data if block.get("type") in HEAVY_BLOCK_TYPES),
            "login_url": _login_url(request, request.get_full_path()),
        }
    )
    if state is not None and state.locked:
        context["unlock_lesson"] = outline.next_lesson
        return TemplateResponse(request, "courses/lesson_locked.html", context, status=403)
    return TemplateResponse(request, lesson.get_template(request, *args, **kwargs), context)


def _login_url(request: HttpRequest, next_url: str) -> str:
    return redirect_to_login(next_url)["Location"]


# --- Actions under /hoc-tap/ ----------------------------------------------------------------


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return HttpResponseRedirect(target)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_POST
def enrol(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if not request.user.is_authenticated:
        return redirect_to_login(course.url)
    try:
        services.enrolment_create(learner=request.user, course=course)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return HttpResponseRedirect(course.url)
    messages.success(request, _("Bạn đã đăng ký khoá học. Chúc bạn học tốt!"))
    outline = selectors.course_outline_for_learner(course=course, learner=request.user, request=request)
    first = outline.next_lesson if outline else None
    return HttpResponseRedirect(first.url if first else course.url)


@require_POST
def unenrol(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_object_or_404(CoursePage, pk=course_id)
    if not request.user.is_authenticated:
        return redirect_to_login(course.url)
    try:
        services.enrolment_cancel(learner=request.user, course=course)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Bạn đã huỷ đăng ký. Tiến độ đã học vẫn được giữ nếu bạn học lại."))
    return HttpResponseRedirect(course.url)


@require_POST
def lesson_done(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = get_object_or_404(LessonPage, pk=lesson_id)
    if not request.user.is_authenticated:
        return redirect_to_login(lesson.url)
    try:
        services.lesson_complete(learner=request.user, lesson=lesson)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return HttpResponseRedirect(lesson.url)
    outline = selectors.course_outline_for_learner(
        course_path=selectors.course_path_of(lesson), learner=request.user, request=request
    )
    completion = (
        selectors.course_completion_get(learner=request.user, course_id=outline.structure.id)
        if outline
        else None
    )
    _previous, following = outline.neighbours(lesson.pk) if outline else (None, None)
    if completion is not None and outline.all_required_done and following is None:
        messages.success(request, _("Chúc mừng! Bạn đã hoàn thành khoá học."))
        return HttpResponseRedirect(outline.url)
    messages.success(request, _("Đã lưu: bạn đã học xong bài này."))
    return HttpResponseRedirect(following.url if following else (outline.url if outline else lesson.url))


@require_POST
def low_data_toggle(request: HttpRequest) -> HttpResponse:
    """Switch low-data mode (no video, audio or large images) on or off: a cookie."""
    response = _back(request, "/")
    if request.POST.get("on") == "1":
        response.set_cookie(LOW_DATA_COOKIE, "1", max_age=LOW_DATA_MAX_AGE, samesite="Lax")
    else:
        response.delete_cookie(LOW_DATA_COOKIE, samesite="Lax")
    return response


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The learner's courses: in progress, completed, time spent, where to continue."""
    items = selectors.courses_for_learner(learner=request.user, request=request)
    catalogue = selectors.public_only(CourseIndexPage.objects.live()).only("url_path").first()
    from courses.certificates.selectors import certificates_of_learner

    # One query; the list is short (one certificate per completed course, plus re-issues).
    certificates = list(
        certificates_of_learner(learner=request.user).only("code", "status", "issued_at", "course_title")[:20]
    )
    # Civil servants also have mandatory training (courses.training): point them to it.
    required_training = user_has_role(user=request.user, role=Role.CIVIL_SERVANT)
    return render(
        request,
        "courses/dashboard.html",
        {
            "required_training_url": reverse("training:mine") if required_training else "",
            "certificates": certificates,
            "in_progress": [i for i in items if i.enrolment.status == "active"],
            "completed": [i for i in items if i.enrolment.status == "completed"],
            "totals": selectors.learner_totals(items=items),
            "continue_item": next((i for i in items if i.enrolment.status == "active"), None),
            "catalogue_url": selectors.page_url(url_path=catalogue.url_path, request=request)
            if catalogue
            else "",
        },
    )


# --- Staff: course reports and bulk enrolment (courses.reports, courses.bulk) ---------------
# and the login-free reminder opt-out (courses.reminders).

from django.core.exceptions import PermissionDenied  # noqa: E402

STAFF_COURSES_PER_PAGE = 25
BULK_PROBLEMS_SHOWN = 200


class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp CSV"),
        help_text=gettext_lazy(
            "Dòng đầu là tiêu đề, có một cột “email”, “phone” hoặc “user_id”; mỗi dòng sau là một người học. "
            "Lưu tệp dạng CSV UTF-8."
        ),
        error_messages={"required": gettext_lazy("Hãy chọn một tệp CSV."),
                        "empty": gettext_lazy("Tệp trống.")},
    )


def _staff_only(request: HttpRequest) -> HttpResponse | None:
    """None when the user may manage courses; a login redirect for visitors; else 403."""
    from courses.reports import user_can_manage_courses

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user_can_manage_courses(user=request.user):
        raise PermissionDenied(_("Bạn không có quyền quản lý khoá học."))
    return None


def staff_courses(request: HttpRequest) -> HttpResponse:
    """Staff: every course, with links to its report and bulk enrolment (paginated)."""
    refused = _staff_only(request)
    if refused:
        return refused
    courses = CoursePage.objects.order_by("title", "pk").only("id", "title", "live", "url_path")
    return render(request, "courses/staff/course_list.html", {
        "courses_page": Paginator(courses, STAFF_COURSES_PER_PAGE).get_page(request.GET.get("page")),
    })


@audit.audited(purpose="Báo cáo kết quả học tập của khoá học", target=("wagtailcore.page", "course_id"))
@use_replica
def staff_course_report(request: HttpRequest, course_id: int, fmt: str = "html") -> HttpResponse:
    """Staff: a course's enrolments, completions, time and drop-off; CSV and XLSX too."""
    from courses import reports

    refused = _staff_only(request)
    if refused:
        return refused
    course = get_object_or_404(CoursePage, pk=course_id)
    report = reports.course_report_build(course=course)
    if fmt == "csv":
        response = HttpResponse(reports.report_csv(report=report), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            reports.report_xlsx(report=report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        return render(request, "courses/staff/course_report.html", {"course": course, "report": report})
    response["Content-Disposition"] = f'attachment; filename="bao-cao-khoa-hoc-{course.pk}.{fmt}"'
    return response


def staff_bulk_enrol(request: HttpRequest, course_id: int) -> HttpResponse:
    """Staff: upload a CSV (preview of every row), then confirm (enrol, with a report)."""
    from courses import bulk

    refused = _staff_only(request)
    if refused:
        return refused
    course = get_object_or_404(CoursePage, pk=course_id)
    context = {"course": course, "window_error": services.enrolment_window_error(course=course),
               "problems_shown": BULK_PROBLEMS_SHOWN}
    form = BulkUploadForm()
    if request.method == "POST" and "payload" in request.POST:
        try:
            rows = bulk.bulk_payload_load(course=course, payload=request.POST["payload"])
            results = bulk.bulk_enrolment_apply(course=course, rows=rows)
        except ValidationError as exc:
            context.update({"form": form, "error": _error_text(exc)})
            return render(request, "courses/staff/bulk_enrol.html", context, status=400)
        context.update(_bulk_result_context(bulk, results, done=True))
        return render(request, "courses/staff/bulk_enrol.html", context)
    if request.method == "POST":
        form = BulkUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                rows = bulk.bulk_csv_parse(data=form.cleaned_data["file"].read(bulk.MAX_FILE_BYTES + 1))
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                results = bulk.bulk_rows_resolve(course=course, rows=rows)
                context.update(_bulk_result_context(bulk, results, done=False))
                context["payload"] = bulk.bulk_payload_dump(course=course, rows=rows)
                context["ready_count"] = sum(1 for r in results if r.status == bulk.RowStatus.READY)
                return render(request, "courses/staff/bulk_enrol.html", context)
        context["form"] = form
        return render(request, "courses/staff/bulk_enrol.html", context, status=400)
    if request.method != "GET":
        return HttpResponse(status=405)
    context["form"] = form
    return render(request, "courses/staff/bulk_enrol.html", context)


def _bulk_result_context(bulk, results, *, done: bool) -> dict:
    problems = [r for r in results if not r.ok]
    return {
        "done": done,
        "previewing": not done,
        "results_count": len(results),
        "summary": bulk.bulk_summary(results=results),
        "problems": problems[:BULK_PROBLEMS_SHOWN],
        "problems_hidden": max(0, len(problems) - BULK_PROBLEMS_SHOWN),
    }


def reminder_opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """Login-free: GET asks for confirmation (link checkers in mail clients only GET),
    POST switches the enrolment's inactivity reminders off."""
    from courses import reminders
    from courses.models import Enrolment

    template = "courses/staff/reminder_opt_out.html"
    try:
        enrolment_id = reminders.opt_out_enrolment_id(token=token)
    except ValidationError as exc:
        return render(request, template, {"error": _error_text(exc)}, status=400)
    if request.method == "POST":
        try:
            enrolment = reminders.enrolment_reminders_opt_out(token=token)
        except ValidationError as exc:
            return render(request, template, {"error": _error_text(exc)}, status=404)
        return render(request, template, {"enrolment": enrolment, "done": True})
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    enrolment = Enrolment.objects.select_related("course").filter(pk=enrolment_id).first()
    if enrolment is None:
        return render(request, template, {"error": _("Không tìm thấy lượt đăng ký học này.")}, status=404)
    return render(request, template, {"enrolment": enrolment, "done": False})
