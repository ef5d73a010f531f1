"""Community digital technology teams: teams, the household register, support visits.

Personal data lives only on Household (label, address hint) and Resident (the link to a
learner account); `household_anonymise` blanks it in place. Visits, their activities and
status observations are append-only facts that point to households and residents by id
and carry their village, commune and province (denormalised at write) so dashboards
count them without joins up the unit tree.

A resident's current digital status is the latest StatusObservation per field; nothing
overwrites an observation.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """One team per village (Tổ công nghệ số cộng đồng), set up by a commune decision.

    Membership is not stored here: it is the team_member / team_leader RoleAssignment
    over the team's village (lms.accounts), the one source of permissions.
    """

    village = models.ForeignKey(
        "places.AdministrativeUnit",
        verbose_name=_("thôn, tổ dân phố"),
        on_delete=models.PROTECT,
        related_name="community_teams",
    )
    name = models.CharField(_("tên tổ"), max_length=255)
    decision_number = models.CharField(_("số quyết định thành lập"), max_length=64, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    active = models.BooleanField(_("đang hoạt động"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tổ công nghệ số cộng đồng")
        verbose_name_plural = _("tổ công nghệ số cộng đồng")
        constraints = [
            # One active team per village; a dissolved team stays as history.
            models.UniqueConstraint(
                fields=["village"], condition=Q(active=True), name="community_team_one_active_per_village"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """A household of a village. `label` and `address_hint` are personal data, visible to
    the village's team and the units above only, blanked by `household_anonymise`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    village = models.ForeignKey(
        "places.AdministrativeUnit",
        verbose_name=_("thôn, tổ dân phố"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    label = models.CharField(_("tên gọi hộ"), max_length=120, help_text=_("Ví dụ: Hộ ông Ba (xóm Đông)."))
    address_hint = models.CharField(_("gợi ý địa chỉ"), max_length=255, blank=True)
    children_under_16 = models.PositiveSmallIntegerField(_("số trẻ em dưới 16 tuổi"), default=0)
    fibre_broadband = models.BooleanField(_("có Internet cáp quang"), default=False)
    consent_given = models.BooleanField(_("hộ đồng ý cung cấp thông tin"), default=False)
    consent_purpose = models.CharField(_("mục đích được đồng ý"), max_length=255, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người ghi nhận đồng ý"),
    )
    consent_recorded_at = models.DateTimeField(_("thời điểm ghi nhận đồng ý"), null=True, blank=True)
    deleted = models.BooleanField(_("đã xoá"), default=False)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every change to the household, its residents or their statuses: the
    # offline app downloads "households changed since" by this column.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        indexes = [
            models.Index(fields=["village", "updated_at"], name="ct_household_village_upd"),
            models.Index(fields=["updated_at"], name="ct_household_updated"),  # since a watermark
        ]

    def __str__(self) -> str:
        return self.label or str(self.id)


class Resident(models.Model):
    """A household member aged 16 or over: birth year and sex only, never a name, ID
    number or full date of birth. `learner` (an account made during assisted learning)
    is a personal link, cleared by `household_anonymise`."""

    class Sex(models.TextChoices):
        FEMALE = "female", _("Nữ")
        MALE = "male", _("Nam")
        OTHER = "other", _("Khác")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="residents")
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"))
    sex = models.CharField(_("giới tính"), max_length=8, choices=Sex.choices)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residents",
        verbose_name=_("tài khoản học"),
    )
    deleted = models.BooleanField(_("đã xoá"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("thành viên hộ")
        verbose_name_plural = _("thành viên hộ")
        indexes = [models.Index(fields=["household"], name="ct_resident_household")]

    def __str__(self) -> str:
        return f"{self.get_sex_display()} {self.birth_year}"


class StatusField(models.TextChoices):
    """What a status observation is about. Resident fields, then the household's one."""

    SMARTPHONE = "smartphone", _("Có điện thoại thông minh")
    VNEID = "vneid", _("Định danh điện tử VNeID")
    PAYMENT_ACCOUNT = "payment_account", _("Có tài khoản thanh toán")
    ONLINE_PUBLIC_SERVICE = "online_public_service", _("Đã dùng dịch vụ công trực tuyến")
    DIGITAL_SIGNATURE = "digital_signature", _("Có chữ ký số")
    SKILL_PUBLIC_SERVICES = "skill_public_services", _("Kỹ năng: dịch vụ công trực tuyến")
    SKILL_ONLINE_SHOPPING = "skill_online_shopping", _("Kỹ năng: mua bán trực tuyến")
    SKILL_CASHLESS_PAYMENT = "skill_cashless_payment", _("Kỹ năng: thanh toán không dùng tiền mặt")
    SKILL_ONLINE_SAFETY = "skill_online_safety", _("Kỹ năng: an toàn trên mạng")
    SKILL_LOCAL_PLATFORMS = "skill_local_platforms", _("Kỹ năng: nền tảng số địa phương")
    FIBRE_BROADBAND = "fibre_broadband", _("Hộ có Internet cáp quang")


BOOLEAN_FIELDS = {
    StatusField.SMARTPHONE,
    StatusField.PAYMENT_ACCOUNT,
    StatusField.ONLINE_PUBLIC_SERVICE,
    StatusField.DIGITAL_SIGNATURE,
    StatusField.FIBRE_BROADBAND,
}
SKILL_FIELDS = {
    StatusField.SKILL_PUBLIC_SERVICES: "public_services",
    StatusField.SKILL_ONLINE_SHOPPING: "online_shopping",
    StatusField.SKILL_CASHLESS_PAYMENT: "cashless_payment",
    StatusField.SKILL_ONLINE_SAFETY: "online_safety",
    StatusField.SKILL_LOCAL_PLATFORMS: "local_platforms",
}
# Allowed values per field (stored as text).
STATUS_VALUES: dict[str, tuple[str, ...]] = {
    **{f: ("true", "false") for f in BOOLEAN_FIELDS},
    StatusField.VNEID: ("none", "level1", "level2"),
    **{f: ("alone", "with_help") for f in SKILL_FIELDS},
}


class Activity(models.Model):
    """The catalogue of what a team can do during a visit (community_teams/data/activities.json)."""

    code = models.SlugField(_("mã"), max_length=64, unique=True)
    name_vi = models.CharField(_("tên (tiếng Việt)"), max_length=255)
    name_en = models.CharField(_("tên (tiếng Anh)"), max_length=255)
    needs_resident = models.BooleanField(_("gắn với một người"), default=True)
    # The status a "done" outcome records ("" for activities that change none).
    status_field = models.CharField(
        _("trạng thái thay đổi"), max_length=32, choices=StatusField.choices, blank=True
    )
    status_value = models.CharField(_("giá trị ghi nhận"), max_length=16, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("hoạt động hỗ trợ")
        verbose_name_plural = _("hoạt động hỗ trợ")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name_vi

    def display_name(self, language: str = "vi") -> str:
        return self.name_en if language.startswith("en") and self.name_en else self.name_vi

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.display_name(get_language() or "vi")


class Device(models.Model):
    """A phone signed in to the offline visit form. Only a digest of its token is kept;
    a revoked device, or one without a successful sync for 30 days, is refused."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_devices")
    name = models.CharField(_("tên thiết bị"), max_length=120)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sync_at = models.DateTimeField(_("đồng bộ lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thiết bị")
        verbose_name_plural = _("thiết bị")

    def __str__(self) -> str:
        return self.name


class MonthClosure(models.Model):
    """A commune closed a reporting month: visits dated in it are still kept, but flagged."""

    commune = models.ForeignKey("places.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("tháng (ngày đầu tháng)"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tháng đã khoá sổ")
        verbose_name_plural = _("tháng đã khoá sổ")
        constraints = [
            models.UniqueConstraint(fields=["commune", "month"], name="ct_month_closure_uniq"),
            models.CheckConstraint(condition=Q(month__day=1), name="ct_month_closure_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.month:%m/%Y}"


class SupportVisit(models.Model):
    """One version of a support visit, as the phone sent it. Append-only.

    The id comes from the phone, so a re-sent visit hits the primary key and creates
    nothing; `content_hash` tells a re-send (same content) from a conflict. An edit is a
    new row naming the version it `replaces`; the unique constraint lets a version be
    replaced at most once, so two concurrent edits of one version cannot both win.
    """

    id = models.UUIDField(primary_key=True, editable=False)
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("thay cho bản"),
    )
    content_hash = models.CharField(max_length=64, editable=False)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="support_visits", db_index=False
    )
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits", db_index=False)
    visited_on = models.DateField(_("ngày thăm"))
    village = models.ForeignKey(
        "places.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    commune = models.ForeignKey(
        "places.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province = models.ForeignKey(
        "places.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Free text may name people: blanked with the household's personal data.
    note = models.TextField(_("ghi chú"), blank=True)
    # Coarse only (two decimals, about 1 km).
    lat = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    lon = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    flagged = models.BooleanField(_("cần xem lại"), default=False)
    flag_reason = models.CharField(_("lý do cần xem lại"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("nhận lúc"))

    # Foreign keys that lead one of the indexes below carry no index of their own: each
    # index is written for every visit received (docs/performance.md, "Visit sync").
    class Meta:
        verbose_name = _("lượt hỗ trợ hộ")
        verbose_name_plural = _("lượt hỗ trợ hộ")
        indexes = [
            models.Index(fields=["province", "visited_on"], name="ct_visit_province_day"),
            models.Index(fields=["commune", "visited_on"], name="ct_visit_commune_day"),
            models.Index(fields=["village", "visited_on"], name="ct_visit_village_day"),
            models.Index(fields=["household", "visited_on"], name="ct_visit_household_day"),
            models.Index(fields=["member", "visited_on"], name="ct_visit_member_day"),
            # What arrived since a watermark (indicator rollups' incremental refresh).
            models.Index(fields=["received_at"], name="ct_visit_received"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.household_id}"


class VisitResident(models.Model):
    """A resident present at a visit."""

    # The unique (visit, resident) index serves lookups by visit.
    visit = models.ForeignKey(
        SupportVisit, on_delete=models.CASCADE, related_name="presences", db_index=False
    )
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["visit", "resident"], name="ct_visit_resident_uniq")]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.resident_id}"


class VisitActivity(models.Model):
    class Outcome(models.TextChoices):
        DONE = "done", _("Đã làm xong")
        PARTLY = "partly", _("Làm được một phần")
        NOT_POSSIBLE = "not_possible", _("Không làm được")

    visit = models.ForeignKey(SupportVisit, on_delete=models.CASCADE, related_name="activities")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("kết quả"), max_length=16, choices=Outcome.choices)
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    resident = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField()
    village = models.ForeignKey(
        "places.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    commune = models.ForeignKey(
        "places.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province = models.ForeignKey(
        "places.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("hoạt động trong lượt hỗ trợ")
        verbose_name_plural = _("hoạt động trong lượt hỗ trợ")
        indexes = [
            models.Index(fields=["province", "visited_on", "activity"], name="ct_vact_province_day"),
            models.Index(fields=["commune", "visited_on", "activity"], name="ct_vact_commune_day"),
            models.Index(fields=["village", "visited_on", "activity"], name="ct_vact_village_day"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.outcome}"


class StatusObservation(models.Model):
    """A fact: on `observed_on`, `field` of a resident (or of a household) was `value`.
    Append-only; the current status is the latest observation per field."""

    class Source(models.TextChoices):
        VISIT = "visit", _("Lượt hỗ trợ")
        REGISTER = "register", _("Sổ hộ gia đình")
        COURSE = "course", _("Hoàn thành khoá học")

    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    field = models.CharField(max_length=32, choices=StatusField.choices)
    value = models.CharField(max_length=16)
    observed_on = models.DateField()
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.VISIT)
    visit = models.ForeignKey(
        SupportVisit, null=True, blank=True, on_delete=models.CASCADE, related_name="observations"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    village = models.ForeignKey(
        "places.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    commune = models.ForeignKey(
        "places.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province = models.ForeignKey(
        "places.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ghi nhận trạng thái số")
        verbose_name_plural = _("ghi nhận trạng thái số")
        indexes = [
            models.Index(fields=["resident", "field", "observed_on"], name="ct_obs_resident_field"),
            models.Index(fields=["household", "field", "observed_on"], name="ct_obs_household_field"),
            models.Index(fields=["province", "observed_on", "field"], name="ct_obs_province_day"),
            models.Index(fields=["commune", "observed_on", "field"], name="ct_obs_commune_day"),
            models.Index(fields=["village", "observed_on", "field"], name="ct_obs_village_day"),
            models.Index(fields=["created_at"], name="ct_obs_created"),  # since a watermark
        ]

    def __str__(self) -> str:
        return f"{self.field}={self.value} ({self.observed_on})"


class AssistedEnrolment(models.Model):
    """A resident enrolled in a course during a visit, credited to the team member who
    helped. The resident's later completion records `skill` in their status."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="assisted_enrolments")
    enrolment = models.OneToOneField(
        "courses.Enrolment", on_delete=models.CASCADE, related_name="assisted_by"
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assisted_enrolments"
    )
    visit = models.ForeignKey(
        SupportVisit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    skill = models.CharField(
        _("kỹ năng khoá học bồi dưỡng"),
        max_length=32,
        blank=True,
        choices=[(f, StatusField(f).label) for f in SKILL_FIELDS],
    )
    consent_recorded_at = models.DateTimeField()
    village = models.ForeignKey("places.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey("places.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey("places.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đăng ký học có hỗ trợ")
        verbose_name_plural = _("đăng ký học có hỗ trợ")

    def __str__(self) -> str:
        return f"{self.resident_id} → {self.enrolment_id}"
