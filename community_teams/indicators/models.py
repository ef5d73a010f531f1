"""Indicators as data, targets, pre-aggregated figures (rollups), legacy figures and
data-quality flags.

`Rollup` rows are derived, never edited: village rows are computed from the register,
visits and status observations (compute.py); commune rows are the sum of their villages
plus re-attributed legacy figures; province rows the sum of their communes plus legacy
series; the nation the sum of provinces. Dashboards read only these rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class IndicatorDefinition(models.Model):
    """One indicator (indicators.csv): what it counts over what, in which population.
    `min_age` / `max_age` are the age band (age = period end year − birth year); an
    operator may change them, the next rebuild applies them."""

    class Level(models.TextChoices):
        PERSON = "person", _("Người dân")
        HOUSEHOLD = "household", _("Hộ gia đình")
        TEAM = "team", _("Tổ công nghệ số")

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    level = models.CharField(_("đối tượng"), max_length=16, choices=Level.choices)
    name_vi = models.CharField(_("tên (tiếng Việt)"), max_length=255)
    name_en = models.CharField(_("tên (tiếng Anh)"), max_length=255)
    numerator = models.TextField(_("tử số"))
    denominator = models.TextField(_("mẫu số"))
    population = models.CharField(_("dân số tính"), max_length=255)
    min_age = models.PositiveSmallIntegerField(_("tuổi từ"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("tuổi đến"), null=True, blank=True)
    # Target codes of national_targets.csv this indicator answers; the first one is
    # compared on dashboards.
    target_codes = models.CharField(_("mã chỉ tiêu"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("chỉ số")
        verbose_name_plural = _("chỉ số")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name_vi

    @property
    def target_code(self) -> str:
        codes = [c.strip() for c in self.target_codes.split(";") if c.strip()]
        return codes[0] if codes else self.code

    def display_name(self, language: str = "vi") -> str:
        return self.name_en if language.startswith("en") and self.name_en else self.name_vi


class Target(models.Model):
    """A target (percent) for a target code and year: national (unit empty, with its
    source and status) or set by a province or commune for itself."""

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("Có hiệu lực")
        GUIDANCE = "guidance", _("Hướng dẫn")
        DRAFT = "draft", _("Dự thảo")

    unit = models.ForeignKey(
        "places.AdministrativeUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_code = models.SlugField(_("mã chỉ tiêu"), max_length=40)
    year = models.PositiveSmallIntegerField(_("năm"))
    percent = models.DecimalField(_("chỉ tiêu (%)"), max_digits=5, decimal_places=1)
    source = models.CharField(_("nguồn"), max_length=255)
    status = models.CharField(_("tình trạng"), max_length=16, choices=Status.choices)
    description_vi = models.CharField(_("mô tả"), max_length=255, blank=True)
    # Set when the target is below the one in force above it (kept, shown as a warning).
    warning = models.CharField(_("cảnh báo"), max_length=255, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        constraints = [
            models.UniqueConstraint(
                fields=["target_code", "year"],
                condition=Q(unit__isnull=True),
                name="ind_target_national_uniq",
            ),
            models.UniqueConstraint(
                fields=["unit", "target_code", "year"],
                condition=Q(unit__isnull=False),
                name="ind_target_local_uniq",
            ),
            models.CheckConstraint(condition=Q(percent__gte=0) & Q(percent__lte=100), name="ind_target_pct"),
        ]

    def __str__(self) -> str:
        return f"{self.target_code} {self.year}: {self.percent}%"


class Level(models.TextChoices):
    VILLAGE = "village", _("Thôn, tổ dân phố")
    COMMUNE = "commune", _("Xã, phường")
    PROVINCE = "province", _("Tỉnh, thành phố")
    NATION = "nation", _("Toàn quốc")
    LEGACY = "legacy", _("Chuỗi số liệu cũ (trước 7/2025)")


def _unit_column() -> models.ForeignKey:
    return models.ForeignKey(
        "places.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )


class Rollup(models.Model):
    """Numerator and denominator of one indicator for one unit and period.

    `period` is "2025-07" (month), "2025-Q3" (quarter) or "2025" (year). The nation has
    no unit. A `legacy` row is a pre-2025 commune whose figures could not be placed in a
    new commune: `unit` is that old commune, `province` the new province it is shown and
    summed under (never in any commune)."""

    level = models.CharField(max_length=8, choices=Level.choices)
    # No single-column indexes: each of these leads one of the composite indexes below,
    # and every index is written for each of ~20 M village rows at a rebuild.
    unit = _unit_column()
    commune = _unit_column()
    province = _unit_column()
    indicator = models.CharField(max_length=40)
    period = models.CharField(max_length=8)
    numerator = models.PositiveIntegerField(default=0)
    denominator = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Unit first: it also serves look-ups and cascades by unit (no separate index).
            models.UniqueConstraint(
                fields=["unit", "level", "indicator", "period"],
                condition=Q(unit__isnull=False),
                name="ind_rollup_unit_uniq",
            ),
            models.UniqueConstraint(
                fields=["level", "indicator", "period"],
                condition=Q(unit__isnull=True),
                name="ind_rollup_nation_uniq",
            ),
        ]
        # Every query names the level. Village rows (96 % of the table) are read by unit,
        # commune or province, never through the level index: it leaves them out.
        indexes = [
            models.Index(fields=["commune", "level", "indicator", "period"], name="ind_rollup_commune"),
            models.Index(fields=["province", "level", "indicator", "period"], name="ind_rollup_province"),
            models.Index(
                fields=["level", "indicator", "period"],
                name="ind_rollup_level",
                condition=~Q(level="village"),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.level} {self.unit_id} {self.indicator} {self.period}: {self.numerator}/{self.denominator}"
        )


class RollupWatermark(models.Model):
    """How far the incremental refresh has read (received_at of visits, created_at of
    observations, updated_at of households). One row, name "rollups"."""

    name = models.CharField(max_length=32, unique=True)
    visits_until = models.DateTimeField(null=True, blank=True)
    observations_until = models.DateTimeField(null=True, blank=True)
    households_until = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class RecordedFigure(models.Model):
    """A figure recorded before the 2025 reorganisation against an old commune, or one
    of its villages when the village is known today (`village`, a current unit)."""

    legacy_commune = models.ForeignKey(
        "places.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("xã cũ")
    )
    village = models.ForeignKey(
        "places.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("thôn (nếu biết)"),
    )
    indicator = models.CharField(max_length=40)
    period = models.CharField(max_length=8)
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()
    source = models.CharField(_("nguồn"), max_length=255)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("số liệu trước sắp xếp")
        verbose_name_plural = _("số liệu trước sắp xếp")
        constraints = [
            models.UniqueConstraint(
                fields=["legacy_commune", "indicator", "period"],
                condition=Q(village__isnull=True),
                name="ind_recorded_commune_uniq",
            ),
            models.UniqueConstraint(
                fields=["legacy_commune", "village", "indicator", "period"],
                condition=Q(village__isnull=False),
                name="ind_recorded_village_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legacy_commune_id}/{self.village_id} {self.indicator} {self.period}"


class QualityFlag(models.Model):
    """An implausible visit, waiting for the commune officer's review."""

    class Rule(models.TextChoices):
        MEMBER_DAY = "member_day", _("Một thành viên ghi quá 40 lượt thăm trong một ngày")
        REPEAT_WEEK = "repeat_week", _("Cùng hoạt động cho cùng hộ hai lần trong một tuần")
        ABOVE_HOUSEHOLD = "above_household", _("Số lượt hoạt động vượt số người của hộ")
        FUTURE = "future", _("Ngày thăm ở tương lai")
        CLOSED_MONTH = "closed_month", _("Gửi muộn cho tháng đã khoá sổ")

    class State(models.TextChoices):
        OPEN = "open", _("Chờ xem xét")
        ACCEPTED = "accepted", _("Đã xác nhận đúng")
        REJECTED = "rejected", _("Không hợp lệ")

    visit = models.ForeignKey("community_teams.SupportVisit", on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=16, choices=Rule.choices)
    detail = models.CharField(max_length=255, blank=True)
    commune = models.ForeignKey("places.AdministrativeUnit", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cảnh báo chất lượng dữ liệu")
        verbose_name_plural = _("cảnh báo chất lượng dữ liệu")
        constraints = [models.UniqueConstraint(fields=["visit", "rule"], name="ind_flag_visit_rule_uniq")]
        indexes = [models.Index(fields=["commune", "state", "month"], name="ind_flag_commune_state")]

    def __str__(self) -> str:
        return f"{self.rule} {self.visit_id}"
