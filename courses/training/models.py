"""Mandatory yearly training of the civil service.

Who works where (Employment, with history), what each position must be able to do
(Position → PositionTarget → assessments.TargetProfile, by year), what an agency
requires of its staff in a year (TrainingPlan) and each person's materialised state
against it (PlanAssignment). docs/training.md explains the rules and how the compliance
figures are derived from these rows.

People are pointed to by id only; names and contacts stay on accounts.User.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def deadline_instant(day: datetime.date) -> datetime.datetime:
    """The first instant AFTER the deadline day `day` in Vietnam time (exclusive bound).

    A deadline "ends at the end of that day": 23:59:59.999 on `day` is still on time,
    00:00 the next day is late. Comparing `completed_at < deadline_instant(due_on)`
    says exactly that, with no sub-second edge.
    """
    nxt = day + datetime.timedelta(days=1)
    return datetime.datetime(nxt.year, nxt.month, nxt.day, tzinfo=VN_TZ)


class StaffCategory(models.TextChoices):
    CAN_BO = "can_bo", _("cán bộ")
    CONG_CHUC = "cong_chuc", _("công chức")
    VIEN_CHUC = "vien_chuc", _("viên chức")
    NGUOI_LAO_DONG = "nguoi_lao_dong", _("người lao động")


class Position(models.Model):
    """A job title / vị trí việc làm, owned by an agency and usable in its whole subtree
    (a Sở defines "Chuyên viên" once for all its divisions). The positions available to
    a person in agency A are those owned by A or by any ancestor of A."""

    agency = models.ForeignKey(
        "organisations.Agency",
        verbose_name=_("cơ quan sở hữu"),
        on_delete=models.PROTECT,
        related_name="training_positions",
    )
    code = models.SlugField(_("mã"), max_length=64)
    name = models.CharField(_("tên chức danh, vị trí việc làm"), max_length=255)
    name_folded = models.CharField(max_length=255, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chức danh, vị trí việc làm")
        verbose_name_plural = _("chức danh, vị trí việc làm")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="training_position_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from lms.core.text import fold

        self.name_folded = fold(self.name)[:255]
        super().save(*args, **kwargs)


class PositionTarget(models.Model):
    """The target competence profile of a position from `year` on. The profile in force
    in year Y is the row with the greatest year ≤ Y, so a new year's version never
    rewrites last year's (which past compliance figures were measured against)."""

    position = models.ForeignKey(
        Position, on_delete=models.CASCADE, related_name="targets", verbose_name=_("chức danh")
    )
    year = models.PositiveSmallIntegerField(_("áp dụng từ năm"))
    profile = models.ForeignKey(
        "assessments.TargetProfile",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("hồ sơ năng lực yêu cầu"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("yêu cầu năng lực của chức danh")
        verbose_name_plural = _("yêu cầu năng lực của chức danh")
        ordering = ["position", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["position", "year"], name="training_position_target_year_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position_id} {self.year}"


class EmploymentQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        """Employments in force on `day` (valid_to is the last day, inclusive)."""
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def overlapping(self, start: datetime.date, end: datetime.date | None):
        """Employments sharing at least one day with [start, end] (end None = open)."""
        qs = self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        if end is not None:
            qs = qs.filter(valid_from__lte=end)
        return qs


class Employment(models.Model):
    """A person working in an agency, in a position and staff category, over a period.

    One person has at most one employment on any day (services check it under a lock on
    the user row; PostgreSQL also enforces it with an exclusion constraint; every
    database enforces "at most one open employment"). A move ends one employment the day
    before the next starts. A civil_servant RoleAssignment (`role_assignment`) is kept in
    step so `agencies_visible_to` and friends keep answering scope questions.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="employments",
        verbose_name=_("người"),
    )
    agency = models.ForeignKey(
        "organisations.Agency",
        on_delete=models.PROTECT,
        related_name="employments",
        verbose_name=_("cơ quan, đơn vị"),
    )
    position = models.ForeignKey(
        Position,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employments",
        verbose_name=_("chức danh, vị trí việc làm"),
    )
    category = models.CharField(_("phân loại"), max_length=16, choices=StaffCategory.choices)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày (hết ngày)"), null=True, blank=True)
    role_assignment = models.ForeignKey(
        "accounts.RoleAssignment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EmploymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("quá trình công tác")
        verbose_name_plural = _("quá trình công tác")
        ordering = ["user", "-valid_from"]
        indexes = [
            models.Index(fields=["agency", "valid_from"], name="training_employment_agency"),
            models.Index(fields=["user", "valid_from"], name="training_employment_user"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="training_employment_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(valid_to__isnull=True),
                name="training_employment_one_open",
            ),
            # PostgreSQL adds training_employment_no_overlap (EXCLUDE USING gist) in 0002.
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.agency_id} {self.valid_from}–{self.valid_to or ''}"


class TrainingPlan(models.Model):
    """What an agency subtree must complete in a year: required courses and/or required
    competence levels, by a deadline (the end of that day, Vietnam time). Filters
    (positions, categories) narrow who it applies to; empty means everyone."""

    name = models.CharField(_("tên kế hoạch"), max_length=255)
    year = models.PositiveSmallIntegerField(_("năm"))
    agency = models.ForeignKey(
        "organisations.Agency",
        on_delete=models.PROTECT,
        related_name="training_plans",
        verbose_name=_("áp dụng cho cơ quan (và cấp dưới)"),
    )
    positions = models.ManyToManyField(
        Position, blank=True, related_name="plans", verbose_name=_("chỉ các chức danh")
    )
    categories = models.JSONField(
        _("chỉ các phân loại"),
        default=list,
        blank=True,
        help_text=_("Danh sách mã phân loại; để trống là mọi phân loại."),
    )
    courses = models.ManyToManyField(
        "courses.CoursePage", blank=True, related_name="training_plans", verbose_name=_("khoá học bắt buộc")
    )
    deadline = models.DateField(_("hạn hoàn thành (hết ngày)"))
    recurs_yearly = models.BooleanField(_("lặp lại hằng năm"), default=False)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_plans",
        verbose_name=_("kế hoạch năm trước"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kế hoạch bồi dưỡng")
        verbose_name_plural = _("kế hoạch bồi dưỡng")
        ordering = ["-year", "name"]
        indexes = [models.Index(fields=["agency", "year"], name="training_plan_agency_year")]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    @property
    def due_before(self) -> datetime.datetime:
        return deadline_instant(self.deadline)


class PlanCompetence(models.Model):
    """A competence level a plan requires (reached when the derived level ≥ `level`)."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="competence_levels")
    competence = models.ForeignKey(
        "assessments.Competence", on_delete=models.PROTECT, related_name="+", verbose_name=_("năng lực")
    )
    level = models.PositiveSmallIntegerField(_("bậc yêu cầu"))

    class Meta:
        verbose_name = _("bậc năng lực yêu cầu")
        verbose_name_plural = _("bậc năng lực yêu cầu")
        constraints = [
            models.UniqueConstraint(fields=["plan", "competence"], name="training_plan_competence_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=8),
                name="training_plan_level_1_to_8",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.competence_id} ≥ {self.level}"


class PlanAssignment(models.Model):
    """One person's state against one plan (one row per person per plan).

    Materialised by services (`assignment_refresh`) whenever evidence changes, so
    compliance is aggregated in SQL from these rows alone:
      on time  = status 'completed' and completed_at <  due_before
      late     = status 'completed' and completed_at >= due_before
      overdue  = status in (not_started, in_progress) and now >= due_before
      exempt rows are left out of the denominator; rows with left_on set and not
      completed are people who left the plan's scope (moved out) and are not counted.
    `agency`/`position`/`category` are where the person is counted now (updated on a
    move within the plan's subtree); month-by-month attribution comes from Employment.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Chưa bắt đầu")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        COMPLETED = "completed", _("Đã hoàn thành")
        EXEMPT = "exempt", _("Được miễn")

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_assignments"
    )
    agency = models.ForeignKey(
        "organisations.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan, đơn vị")
    )
    position = models.ForeignKey(
        Position,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("chức danh"),
    )
    category = models.CharField(_("phân loại"), max_length=16, choices=StaffCategory.choices)
    assigned_on = models.DateField(_("ngày giao"))
    due_on = models.DateField(_("hạn (hết ngày)"))
    # deadline_instant(due_on): the first late instant.
    due_before = models.DateTimeField(editable=False)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    items_required = models.PositiveSmallIntegerField(default=0)
    items_done = models.PositiveSmallIntegerField(default=0)
    completed_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    exempt_reason = models.CharField(_("lý do miễn"), max_length=500, blank=True)
    exempt_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    exempt_at = models.DateTimeField(null=True, blank=True)
    extended_to = models.DateField(_("gia hạn đến (hết ngày)"), null=True, blank=True)
    extension_reason = models.CharField(_("lý do gia hạn"), max_length=500, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    extended_at = models.DateTimeField(null=True, blank=True)
    left_on = models.DateField(_("rời phạm vi kế hoạch ngày"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("phân công bồi dưỡng")
        verbose_name_plural = _("phân công bồi dưỡng")
        indexes = [
            models.Index(fields=["agency", "plan", "status"], name="training_assign_agency"),
            models.Index(fields=["user", "status"], name="training_assign_user"),
            models.Index(fields=["due_before", "status"], name="training_assign_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["plan", "user"], name="training_assignment_once"),
            models.CheckConstraint(
                condition=Q(items_done__lte=models.F("items_required")),
                name="training_assignment_items",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.user_id} {self.status}"

    @property
    def counted(self) -> bool:
        return self.status != self.Status.EXEMPT and (self.left_on is None or self.completed_at is not None)

    def is_overdue(self, now: datetime.datetime) -> bool:
        return self.status in (self.Status.NOT_STARTED, self.Status.IN_PROGRESS) and now >= self.due_before


class InPersonSession(models.Model):
    """A classroom session recorded by a manager: counts as completing `course` for the
    attendees (dated the session day) in every plan requiring that course."""

    agency = models.ForeignKey(
        "organisations.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan tổ chức")
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="+", verbose_name=_("khoá học tương ứng")
    )
    date = models.DateField(_("ngày học"))
    place = models.CharField(_("địa điểm"), max_length=255)
    trainer = models.CharField(_("giảng viên"), max_length=255)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="SessionAttendance", related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("buổi bồi dưỡng trực tiếp")
        verbose_name_plural = _("buổi bồi dưỡng trực tiếp")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date} {self.place}"


class SessionAttendance(models.Model):
    session = models.ForeignKey(InPersonSession, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="training_attendance_once"),
        ]
        indexes = [models.Index(fields=["user"], name="training_attendance_user")]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.user_id}"


class ReminderSent(models.Model):
    """One reminder of one kind for one assignment, ever: the unique row is the claim
    taken before the message goes out (see reminders.py)."""

    class Kind(models.TextChoices):
        DAYS_30 = "d30", _("30 ngày trước hạn")
        DAYS_7 = "d7", _("7 ngày trước hạn")
        DAYS_1 = "d1", _("1 ngày trước hạn")

    assignment = models.ForeignKey(PlanAssignment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind"], name="training_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.kind}"


class ManagerDigestSent(models.Model):
    """The weekly overdue digest sent to one manager for the ISO week starting `week`."""

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text="Monday of the ISO week")
    overdue_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["manager", "week"], name="training_digest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.manager_id} {self.week}"


class StaffInvitation(models.Model):
    """An invitation to set a password, sent once per imported account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}"


class TrainingCertificate(models.Model):
    """Issued once when a person completes a year's plan. Name, plan and agency are
    copied at issue time so the certificate says what was true then."""

    assignment = models.OneToOneField(PlanAssignment, on_delete=models.CASCADE, related_name="certificate")
    code = models.CharField(_("mã chứng nhận"), max_length=16, unique=True)
    issued_at = models.DateTimeField(_("cấp lúc"))
    learner_name = models.CharField(_("họ và tên"), max_length=255)
    plan_name = models.CharField(_("kế hoạch"), max_length=255)
    year = models.PositiveSmallIntegerField(_("năm"))
    agency_name = models.CharField(_("cơ quan, đơn vị"), max_length=255)

    class Meta:
        verbose_name = _("chứng nhận hoàn thành bồi dưỡng")
        verbose_name_plural = _("chứng nhận hoàn thành bồi dưỡng")

    def __str__(self) -> str:
        return self.code
