"""Administrative units: province → commune → village, by edition.

A code is not a stable key across editions (new Phường Ba Đình is 00004, the code of old
Phường Trúc Bạch), so units are keyed by (edition, level, code) or by their surrogate id.
`path` holds the ids of the unit's ancestors and its own ("/12/345/678/"), so "everything
under this province" is one indexed prefix query, never a walk up or down the tree.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lms.core.text import fold
from lms.core.trees import PathQuerySet, path_compute

CURRENT_EDITION = "2025-07"
LEGACY_EDITION = "pre-2025-07"
# The day the two-tier reform took effect; legacy units end the day before.
REFORM_DATE = datetime.date(2025, 7, 1)
LEGACY_END_DATE = datetime.date(2025, 6, 30)

# Kinds of village (thôn, bản, tổ dân phố …) accepted on import and in forms. Folded
# spellings are compared, so "To dan pho" and "tổ dân phố" are the same kind.
VILLAGE_TYPES = (
    "thôn", "bản", "tổ dân phố", "ấp", "buôn", "làng", "xóm", "sóc", "plei", "khóm",
    "khu phố", "khu dân cư", "tổ", "khu",
)


class AdministrativeUnitQuerySet(PathQuerySet):
    def current(self):
        return self.filter(edition=CURRENT_EDITION)

    def legacy(self):
        return self.filter(edition=LEGACY_EDITION)

    def active_on(self, day: datetime.date):
        """Units in force on `day` (valid_to is the last day, inclusive)."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class AdministrativeUnit(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh, thành phố")
        DISTRICT = "district", _("Quận, huyện (trước 7/2025)")
        COMMUNE = "commune", _("Xã, phường, đặc khu")
        VILLAGE = "village", _("Thôn, bản, tổ dân phố")

    edition = models.CharField(_("phiên bản danh mục"), max_length=16, default=CURRENT_EDITION)
    code = models.CharField(_("mã"), max_length=32, blank=True)
    name = models.CharField(_("tên"), max_length=255)
    name_folded = models.CharField(max_length=255, editable=False, db_index=True)
    division_type = models.CharField(_("loại đơn vị"), max_length=64, blank=True)
    level = models.CharField(_("cấp"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, editable=False, default="")
    # Set when the source data had something odd about this unit (for example an old
    # commune code that the source gives to two differently named communes).
    source_flag = models.CharField(_("ghi chú về nguồn dữ liệu"), max_length=255, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        indexes = [
            # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%'.
            models.Index(fields=["path"], name="places_unit_path_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["edition", "level", "code"], name="places_unit_code_idx"),
        ]
        constraints = [
            # Codes are unique within the current edition only: legacy data has an old
            # code given to two communes, and villages have no national code.
            models.UniqueConstraint(
                fields=["edition", "level", "code"],
                condition=Q(edition=CURRENT_EDITION) & ~Q(code=""),
                name="places_unit_current_code_uniq",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)[:255]
        super().save(*args, **kwargs)

    def compute_path(self) -> str:
        return path_compute(self)


class UnitSuccessionQuerySet(models.QuerySet):
    def with_units(self):
        return self.select_related("predecessor__parent__parent", "successor__parent")


class UnitSuccession(models.Model):
    """One edge of the history graph: `predecessor` (or part of it) became `successor`.

    Rows come from the 2025 reform (legacy commune → new commune, `whole` or `partial`)
    and from village merges and splits done on the platform. `note` keeps the source's
    wording; see `counts_whole_population` for how it affects population figures.
    """

    class Kind(models.TextChoices):
        WHOLE = "whole", _("Nhập toàn bộ")
        PARTIAL = "partial", _("Nhập một phần")
        VILLAGE_MERGE = "village_merge", _("Sáp nhập thôn")
        VILLAGE_SPLIT = "village_split", _("Chia tách thôn")

    # Notes of the source with a meaning for figures (kept verbatim in `note`).
    NOTE_UNCHANGED = "Giữ nguyên"
    NOTE_PART_LAND_ALL_PEOPLE = "Nhập một phần diện tích, toàn bộ dân số"
    NOTE_PART_PEOPLE = "Nhập một phần dân số"

    predecessor = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("đơn vị trước"), on_delete=models.PROTECT,
        related_name="successions_as_predecessor",
    )
    successor = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("đơn vị sau"), on_delete=models.PROTECT,
        related_name="successions_as_successor",
    )
    kind = models.CharField(_("hình thức"), max_length=16, choices=Kind.choices)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    source_new_code = models.CharField(_("mã mới theo nguồn"), max_length=32, blank=True)
    effective_date = models.DateField(_("ngày hiệu lực"))
    is_flagged = models.BooleanField(_("nguồn có điểm bất thường"), default=False)
    flag_reason = models.CharField(_("điểm bất thường"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitSuccessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("kế thừa đơn vị hành chính")
        verbose_name_plural = _("kế thừa đơn vị hành chính")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor", "kind"], name="places_succession_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"

    @property
    def is_partial(self) -> bool:
        return self.kind in (self.Kind.PARTIAL, self.Kind.VILLAGE_SPLIT)

    @property
    def counts_whole_population(self) -> bool:
        """For population figures: whole, or partial land but all of the people."""
        if self.kind == self.Kind.WHOLE:
            return True
        return self.note.strip() == self.NOTE_PART_LAND_ALL_PEOPLE
