"""Agencies (cơ quan, đơn vị) of the civil service, as a tree.

Like administrative units, an agency's `path` holds its ancestors' ids and its own, so an
agency subtree is one indexed prefix query.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.core.text import fold
from lms.core.trees import PathQuerySet, path_compute


class AgencyQuerySet(PathQuerySet):
    pass


class Agency(models.Model):
    code = models.CharField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên cơ quan, đơn vị"), max_length=255)
    name_folded = models.CharField(max_length=255, editable=False, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    unit = models.ForeignKey(
        "places.AdministrativeUnit",
        verbose_name=_("địa bàn"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agencies",
    )
    path = models.CharField(max_length=255, editable=False, default="")
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        indexes = [
            models.Index(fields=["path"], name="org_agency_path_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)[:255]
        super().save(*args, **kwargs)

    def compute_path(self) -> str:
        return path_compute(self)
