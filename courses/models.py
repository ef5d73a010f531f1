"""Courses: the catalogue as Wagtail pages, and each learner's state as plain models.

Pages (editorial, published by editors): CourseIndexPage → CoursePage → ModulePage →
LessonPage. Per-learner state (Enrolment, LessonProgress, CourseCompletion) is never a
page field; it points at pages by id and is written only by `courses.services`.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page, PageViewRestriction
from wagtail.url_routing import RouteResult

from content.search import FoldedSearchMixin, folded_search_fields, plain_text
from courses.blocks import HEAVY_BLOCK_TYPES, LessonStreamBlock
from lms.core.text import fold

COMPETENCE_CODE = re.compile(r"^[a-z][a-z0-9.-]*:\d+(\.\d+)*$")


class Audience(models.TextChoices):
    CITIZEN = "citizen", _("Người dân")
    CIVIL_SERVANT = "civil_servant", _("Cán bộ, công chức, viên chức")
    TEAM_MEMBER = "team_member", _("Thành viên tổ công nghệ số cộng đồng")


class Level(models.TextChoices):
    BEGINNER = "beginner", _("Cơ bản")
    INTERMEDIATE = "intermediate", _("Trung bình")
    ADVANCED = "advanced", _("Nâng cao")


class Topic(models.TextChoices):
    SMARTPHONE = "smartphone", _("Dùng điện thoại thông minh")
    VNEID = "vneid", _("VNeID và định danh điện tử")
    PUBLIC_SERVICES = "public_services", _("Dịch vụ công trực tuyến")
    CASHLESS_PAYMENT = "cashless_payment", _("Thanh toán không dùng tiền mặt")
    ONLINE_SAFETY = "online_safety", _("An toàn trên mạng")
    ONLINE_SELLING = "online_selling", _("Bán hàng trên mạng")
    DIGITAL_GOVERNMENT = "digital_government", _("Chính quyền số")
    COMMUNITY_SUPPORT = "community_support", _("Hỗ trợ cộng đồng")


class LengthBand(models.TextChoices):
    """Catalogue filter on the estimated duration: (lowest, highest) minutes."""

    SHORT = "short", _("Dưới 1 giờ")
    MEDIUM = "medium", _("Từ 1 đến 3 giờ")
    LONG = "long", _("Trên 3 giờ")


LENGTH_BAND_MINUTES: dict[str, tuple[int, int | None]] = {
    LengthBand.SHORT: (0, 59),
    LengthBand.MEDIUM: (60, 180),
    LengthBand.LONG: (181, None),
}


class ViewRestrictionCacheMixin:
    """Answer Wagtail's per-request "is this page restricted?" check without queries.

    Wagtail asks for the view restrictions of a page and its ancestors on every serve
    (two queries). Restrictions are rare, so the paths that carry one are cached
    (`courses.selectors.restricted_paths`, invalidated when a restriction changes) and
    a query runs only when this page or an ancestor is among them.
    """

    def get_view_restrictions(self):
        from courses.selectors import restricted_paths

        steplen = self.steplen
        own = {self.path[:n] for n in range(steplen, len(self.path) + 1, steplen)}
        if self.alias_of_id or restricted_paths() & own:
            return super().get_view_restrictions()
        return PageViewRestriction.objects.none()


class CourseIndexPage(ViewRestrictionCacheMixin, FoldedSearchMixin, Page):
    """The catalogue: every course under it, with filters and accent-insensitive search."""

    intro = models.TextField(_("giới thiệu"), blank=True)

    parent_page_types = ["content.HomePage"]
    subpage_types = ["courses.CoursePage"]

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + folded_search_fields()

    class Meta:
        verbose_name = _("danh mục khoá học")
        verbose_name_plural = _("danh mục khoá học")

    def route(self, request, path_components):
        """Find a course, module or lesson in one query instead of two per level.

        Page types fix the depth: one component is a course, two a module, three a
        lesson. Anything else falls back to Wagtail's routing.
        """
        models_by_depth = {1: CoursePage, 2: ModulePage, 3: LessonPage}
        model = models_by_depth.get(len(path_components))
        if model is None:
            return super().route(request, path_components)
        url_path = self.url_path + "/".join(path_components) + "/"
        page = model.objects.filter(url_path=url_path, live=True).first()
        if page is None:
            raise Http404
        return RouteResult(page)

    def serve(self, request, *args, **kwargs):
        from courses.cache import page_cache_serve
        from courses.routing import route_remember

        route_remember(request=request, page=self, levels_below_catalogue=0)

        def render():
            response = super(CourseIndexPage, self).serve(request, *args, **kwargs)
            if getattr(response, "context_data", None) and response.context_data.get("filters_invalid"):
                response.status_code = 400
            return response

        return page_cache_serve(page=self, request=request, render=render)

    def get_context(self, request, *args, **kwargs):
        from courses.views import catalogue_context

        context = super().get_context(request, *args, **kwargs)
        context.update(catalogue_context(request=request, index=self))
        return context


class CoursePage(ViewRestrictionCacheMixin, FoldedSearchMixin, Page):
    class Pacing(models.TextChoices):
        SELF_PACED = "self_paced", _("Tự học theo nhịp riêng")
        COHORT = "cohort", _("Theo đợt, có ngày bắt đầu và kết thúc")

    summary = models.TextField(_("tóm tắt"), max_length=600)
    what_you_will_learn = models.TextField(
        _("bạn sẽ học được gì"), blank=True, help_text=_("Mỗi dòng một điều người học làm được sau khoá học.")
    )
    for_citizens = models.BooleanField(_("dành cho người dân"), default=True)
    for_civil_servants = models.BooleanField(_("dành cho cán bộ, công chức, viên chức"), default=False)
    for_team_members = models.BooleanField(_("dành cho tổ công nghệ số cộng đồng"), default=False)
    level = models.CharField(_("trình độ"), max_length=20, choices=Level.choices, default=Level.BEGINNER)
    topic = models.CharField(_("chủ đề"), max_length=30, choices=Topic.choices)
    competences = models.TextField(
        _("năng lực"), blank=True,
        help_text=_("Mỗi dòng một mã năng lực theo khung, ví dụ digcomp-2.2:1.1."),
    )
    duration_minutes = models.PositiveIntegerField(_("thời lượng dự kiến (phút)"), default=60)
    prerequisites = models.TextField(_("điều kiện cần có trước"), blank=True)
    certificate_awarded = models.BooleanField(_("cấp chứng nhận"), default=True)
    pacing = models.CharField(_("hình thức học"), max_length=20, choices=Pacing.choices,
                              default=Pacing.SELF_PACED)
    starts_on = models.DateField(_("ngày bắt đầu"), null=True, blank=True)
    ends_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    enrolment_opens_on = models.DateField(_("mở đăng ký từ ngày"), null=True, blank=True)
    enrolment_closes_on = models.DateField(_("đóng đăng ký sau ngày"), null=True, blank=True)
    lock_lessons_in_order = models.BooleanField(
        _("học lần lượt"), default=False,
        help_text=_("Người học phải xong các bài bắt buộc trước mới mở được bài sau."),
    )
    final_quiz = models.ForeignKey(
        "quizzes.Quiz", verbose_name=_("bài kiểm tra cuối khoá"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Nếu chọn, người học phải đạt điểm qua của bài này mới hoàn thành khoá học."),
    )
    # A folded copy of title, summary, outcomes and topic for the catalogue search
    # (derived from the fields above on every save, like Wagtail's own url_path).
    search_folded = models.TextField(editable=False, blank=True, default="")

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("what_you_will_learn"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("for_citizens"), FieldPanel("for_civil_servants"),
                            FieldPanel("for_team_members")])],
            heading=_("Dành cho ai"),
        ),
        FieldRowPanel([FieldPanel("topic"), FieldPanel("level"), FieldPanel("duration_minutes")]),
        FieldPanel("competences"),
        FieldPanel("prerequisites"),
        FieldPanel("certificate_awarded"),
        MultiFieldPanel(
            [FieldPanel("pacing"),
             FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
             FieldRowPanel([FieldPanel("enrolment_opens_on"), FieldPanel("enrolment_closes_on")]),
             FieldPanel("lock_lessons_in_order"), FieldPanel("final_quiz")],
            heading=_("Nhịp học"),
        ),
    ]
    search_fields = Page.search_fields + folded_search_fields()

    class Meta:
        verbose_name = _("khoá học")
        verbose_name_plural = _("khoá học")

    def clean(self):
        super().clean()
        errors = {}
        bad = [code for code in self.competence_codes if not COMPETENCE_CODE.match(code)]
        if bad:
            errors["competences"] = _("Mã năng lực không đúng dạng (ví dụ digcomp-2.2:1.1): %(codes)s") % {
                "codes": ", ".join(bad)}
        if not (self.for_citizens or self.for_civil_servants or self.for_team_members):
            errors["for_citizens"] = _("Chọn ít nhất một nhóm người học.")
        if self.pacing == self.Pacing.COHORT:
            if not (self.starts_on and self.ends_on):
                errors["starts_on"] = _("Khoá học theo đợt cần ngày bắt đầu và ngày kết thúc.")
            elif self.ends_on < self.starts_on:
                errors["ends_on"] = _("Ngày kết thúc phải sau ngày bắt đầu.")
        if self.enrolment_opens_on and self.enrolment_closes_on and \
                self.enrolment_closes_on < self.enrolment_opens_on:
            errors["enrolment_closes_on"] = _("Ngày đóng đăng ký phải sau ngày mở đăng ký.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.search_folded = fold(" ".join(
            [self.title, self.summary, self.what_you_will_learn, self.get_topic_display()]))
        return super().save(*args, **kwargs)

    # --- read helpers (no queries) -------------------------------------------------------
    @property
    def outcomes(self) -> list[str]:
        return [line.strip() for line in self.what_you_will_learn.splitlines() if line.strip()]

    @property
    def competence_codes(self) -> list[str]:
        return [line.strip() for line in self.competences.splitlines() if line.strip()]

    @cached_property
    def competence_list(self) -> list[dict]:
        """The course's competences for its page: code, title (from the framework), the
        level a completion records (courses.evidence) and the label to show. No query
        once the names are cached (assessments.selectors.competences_named)."""
        from assessments.labels import competence_label
        from assessments.selectors import competences_named
        from courses.evidence import LEVEL_FOR_COURSE

        codes = self.competence_codes
        if not codes:
            return []
        named = competences_named(codes=codes)
        level = LEVEL_FOR_COURSE.get(self.level, LEVEL_FOR_COURSE[Level.BEGINNER])
        items = []
        for code in dict.fromkeys(codes):
            title = named[code].title if code in named else ""
            items.append({"code": code, "title": title, "level": level,
                          "label": competence_label(code=code, title=title, level=level)})
        return items

    @property
    def audiences(self) -> list[str]:
        flags = [(Audience.CITIZEN, self.for_citizens), (Audience.CIVIL_SERVANT, self.for_civil_servants),
                 (Audience.TEAM_MEMBER, self.for_team_members)]
        return [str(value) for value, on in flags if on]

    @property
    def audience_labels(self) -> list[str]:
        labels = dict(Audience.choices)
        return [labels[a] for a in self.audiences]

    def search_texts(self) -> list[str]:
        return super().search_texts() + [plain_text(self.what_you_will_learn)]

    def serve(self, request, *args, **kwargs):
        from courses.cache import page_cache_serve
        from courses.routing import route_remember

        route_remember(request=request, page=self, levels_below_catalogue=1)
        return page_cache_serve(
            page=self, request=request, render=lambda: super(CoursePage, self).serve(request, *args, **kwargs)
        )

    def get_context(self, request, *args, **kwargs):
        from courses.final_test import final_test_context
        from courses.views import course_context

        context = super().get_context(request, *args, **kwargs)
        context.update(course_context(request=request, course=self))
        context.update(final_test_context(request=request, course=self, context=context))
        return context


class ModulePage(ViewRestrictionCacheMixin, FoldedSearchMixin, Page):
    summary = models.TextField(_("tóm tắt"), blank=True)

    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]

    content_panels = Page.content_panels + [FieldPanel("summary")]
    search_fields = Page.search_fields + folded_search_fields()

    class Meta:
        verbose_name = _("chương")
        verbose_name_plural = _("chương")

    def serve(self, request, *args, **kwargs):
        from courses.routing import route_remember

        route_remember(request=request, page=self, levels_below_catalogue=2)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from courses.views import module_context

        context = super().get_context(request, *args, **kwargs)
        context.update(module_context(request=request, module=self))
        return context


class LessonPage(ViewRestrictionCacheMixin, FoldedSearchMixin, Page):
    body = StreamField(LessonStreamBlock(), verbose_name=_("nội dung"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("thời lượng (phút)"), default=10)
    required = models.BooleanField(
        _("bắt buộc"), default=True, help_text=_("Khoá học hoàn thành khi người học xong mọi bài bắt buộc."),
    )

    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("duration_minutes"), FieldPanel("required")]),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + folded_search_fields()

    class Meta:
        verbose_name = _("bài học")
        verbose_name_plural = _("bài học")

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import lesson_quiz_ids, quiz_states_for_learner

        context = super().get_context(request, *args, **kwargs)
        # Every quiz block's state at once (two queries), read by QuizBlock.get_context.
        context["quiz_states"] = quiz_states_for_learner(
            quiz_ids=lesson_quiz_ids(lesson=self), learner=getattr(request, "user", None)
        )
        return context

    def body_for(self, *, low_data: bool) -> list:
        """The body's blocks; in low-data mode video, audio and images are left out."""
        if not low_data:
            return list(self.body)
        return [block for block in self.body if block.block_type not in HEAVY_BLOCK_TYPES]

    def serve(self, request, *args, **kwargs):
        from courses.routing import route_remember
        from courses.views import lesson_serve

        route_remember(request=request, page=self, levels_below_catalogue=3)
        return lesson_serve(request=request, lesson=self, serve=super().serve, args=args, kwargs=kwargs)


# --- Per-learner state ---------------------------------------------------------------------


class Enrolment(models.Model):
    """A learner in a course. At most one current (active or completed) per course;
    an unenrolled row stays as history and a later enrolment is a new row."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang học")
        UNENROLLED = "unenrolled", _("Đã huỷ đăng ký")
        COMPLETED = "completed", _("Đã hoàn thành")

    CURRENT = (Status.ACTIVE, Status.COMPLETED)

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_lesson = models.ForeignKey(LessonPage, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    last_visited_at = models.DateTimeField(null=True, blank=True)
    # Set by the welcome job, so a re-run after a crash never sends the e-mail twice.
    welcome_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Inactivity reminders: the learner may opt out; the last one sent is remembered so
    # each period of inactivity gets one reminder at most.
    reminders_opt_out = models.BooleanField(_("không nhận nhắc nhở"), default=False)
    last_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("lượt đăng ký học")
        verbose_name_plural = _("lượt đăng ký học")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "course"], condition=Q(status__in=["active", "completed"]),
                name="courses_enrolment_one_current",
            ),
        ]
        indexes = [models.Index(fields=["course", "status"], name="courses_enrol_course_status")]

    def __str__(self) -> str:
        return f"{self.learner_id} → {self.course_id} ({self.status})"


class LessonProgress(models.Model):
    """A learner's completion of one lesson (one row per learner and lesson)."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="lesson_progress")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="progress_records")
    # Denormalised from the tree so a course's progress is one indexed query.
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    seconds_spent = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("tiến độ bài học")
        verbose_name_plural = _("tiến độ bài học")
        constraints = [
            models.UniqueConstraint(fields=["learner", "lesson"], name="courses_progress_one_per_lesson"),
        ]
        indexes = [models.Index(fields=["learner", "course"], name="courses_progress_learner_crs")]

    def __str__(self) -> str:
        return f"{self.learner_id} · {self.lesson_id} ({'xong' if self.completed_at else '…'})"


class CourseCompletion(models.Model):
    """A learner met a course's completion rule. Permanent: editing the course later
    (removing or adding lessons) never takes it away."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="course_completions")
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("hoàn thành khoá học")
        verbose_name_plural = _("hoàn thành khoá học")
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="courses_completion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} ✓ {self.course_id}"
