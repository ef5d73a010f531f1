"""Administrative units: province → commune → village, by edition.

A code is not a stable key across editions (new Phường Ba Đình is 00004, the code of old
Phường Trúc Bạch), so units are keyed by (edition, level, code) or by their surrogate id.
`path` holds the ids of the unit's ancestors and its own ("/12/345/678/"), so "everything
under this province" is one indexed prefix query, never a walk up or down the tree.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.core.text import fold

CURRENT_EDITION = "2025-07"
LEGACY_EDITION = "pre-2025-07"


class AdministrativeUnitQuerySet(models.QuerySet):
    def current(self):
        return self.filter(edition=CURRENT_EDITION)

    def within(self, unit: "AdministrativeUnit", *, include_self: bool = True):
        """The unit's subtree, in one indexed query on `path`."""
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


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

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)[:255]
        super().save(*args, **kwargs)

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.pk}/"
