"""Competence frameworks as editable data: framework → areas → competences → indicators,
proficiency levels, and crosswalks between competences of two frameworks.

Nothing about DigComp or TT02 is a constant in code: the loader reads `assessments/data/`,
CASE packages come in through `assessments.case`, editors change the rest in the admin.
A competence is named with its framework (`digcomp-2.2:4.2`), its *qualified code*.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

QUALIFIER = ":"
# A framework code holds a dot ("digcomp-2.2"), which a slug may not.
CODE_RE = r"^[a-z0-9][a-z0-9.\-]*$"
CODE_VALIDATOR = RegexValidator(
    CODE_RE, _("Mã khung chỉ gồm chữ thường không dấu, chữ số, dấu chấm và gạch ngang.")
)


class Bilingual(models.Model):
    """Vietnamese first; English shown when the page is in English and a title exists."""

    title_vi = models.CharField(_("tên (tiếng Việt)"), max_length=255)
    title_en = models.CharField(_("tên (tiếng Anh)"), max_length=255, blank=True)
    description_vi = models.TextField(_("mô tả (tiếng Việt)"), blank=True)
    description_en = models.TextField(_("mô tả (tiếng Anh)"), blank=True)

    class Meta:
        abstract = True

    @property
    def title(self) -> str:
        if (get_language() or "vi").startswith("en") and self.title_en:
            return self.title_en
        return self.title_vi

    @property
    def description(self) -> str:
        if (get_language() or "vi").startswith("en") and self.description_en:
            return self.description_en
        return self.description_vi


class Framework(Bilingual):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        PUBLISHED = "published", _("Đang áp dụng")
        DEPRECATED = "deprecated", _("Ngừng áp dụng")

    code = models.CharField(
        _("mã khung"), max_length=64, unique=True, validators=[CODE_VALIDATOR],
        help_text=_("Ví dụ “digcomp-2.2”, “tt02-2025”; dùng trong mã năng lực đầy đủ."),
    )
    version = models.CharField(_("phiên bản"), max_length=32, blank=True)
    publisher = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    source = models.CharField(_("văn bản, nguồn"), max_length=255, blank=True)
    source_url = models.URLField(_("địa chỉ nguồn"), blank=True)
    language = models.CharField(_("ngôn ngữ gốc"), max_length=8, default="vi")
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status.choices, default=Status.PUBLISHED
    )
    # Identifier in a CASE package this framework came from; empty for our own data,
    # whose identifiers are derived from the code (see assessments.case.case_uuid).
    case_identifier = models.CharField(_("mã định danh CASE"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("khung năng lực")
        verbose_name_plural = _("khung năng lực")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="framework_code_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.title_vi} ({self.code})"


class FrameworkArea(Bilingual):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="areas",
                                  verbose_name=_("khung năng lực"))
    code = models.CharField(_("mã"), max_length=32)
    ordering = models.PositiveIntegerField(_("thứ tự"), default=0)
    case_identifier = models.CharField(_("mã định danh CASE"), max_length=64, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("miền năng lực")
        verbose_name_plural = _("miền năng lực")
        ordering = ["framework", "ordering", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="area_code_unique_in_framework"),
        ]

    def __str__(self) -> str:
        return f"{self.framework.code}{QUALIFIER}{self.code} {self.title_vi}"


class Competence(Bilingual):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="competences",
                                  verbose_name=_("khung năng lực"))
    area = models.ForeignKey(FrameworkArea, on_delete=models.CASCADE, related_name="competences",
                             verbose_name=_("miền năng lực"))
    code = models.CharField(_("mã"), max_length=32)
    ordering = models.PositiveIntegerField(_("thứ tự"), default=0)
    case_identifier = models.CharField(_("mã định danh CASE"), max_length=64, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("năng lực")
        verbose_name_plural = _("năng lực")
        ordering = ["framework", "area__ordering", "ordering", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="competence_code_unique_in_framework"),
        ]

    def __str__(self) -> str:
        return f"{self.qualified_code} {self.title_vi}"

    @property
    def qualified_code(self) -> str:
        return f"{self.framework.code}{QUALIFIER}{self.code}"


class Indicator(Bilingual):
    """An optional, finer statement under a competence (a TT02 "biểu hiện", say)."""

    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="indicators",
                                   verbose_name=_("năng lực"))
    code = models.CharField(_("mã"), max_length=32)
    ordering = models.PositiveIntegerField(_("thứ tự"), default=0)
    level = models.ForeignKey("ProficiencyLevel", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="indicators", verbose_name=_("trình độ"))
    case_identifier = models.CharField(_("mã định danh CASE"), max_length=64, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chỉ báo")
        verbose_name_plural = _("chỉ báo")
        ordering = ["competence", "ordering", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["competence", "code"], name="indicator_code_unique_in_competence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competence.framework.code}{QUALIFIER}{self.code} {self.title_vi}"


class ProficiencyLevel(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels",
                                  verbose_name=_("khung năng lực"))
    ordinal = models.PositiveSmallIntegerField(_("bậc"), help_text=_("Từ 1 (thấp nhất) đến 8."))
    code = models.CharField(_("mã"), max_length=16, help_text=_("Ví dụ “1” hoặc “CB1”."))
    band_vi = models.CharField(_("nhóm trình độ (tiếng Việt)"), max_length=64)
    band_en = models.CharField(_("nhóm trình độ (tiếng Anh)"), max_length=64, blank=True)
    descriptor_vi = models.TextField(_("mô tả (tiếng Việt)"), blank=True)
    descriptor_en = models.TextField(_("mô tả (tiếng Anh)"), blank=True)
    case_identifier = models.CharField(_("mã định danh CASE"), max_length=64, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("trình độ thành thạo")
        verbose_name_plural = _("trình độ thành thạo")
        ordering = ["framework", "ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "ordinal"], name="level_ordinal_unique_in_framework"
            ),
            models.UniqueConstraint(fields=["framework", "code"], name="level_code_unique_in_framework"),
            models.CheckConstraint(condition=Q(ordinal__gte=1, ordinal__lte=8), name="level_ordinal_1_to_8"),
        ]

    def __str__(self) -> str:
        return f"{self.framework.code}{QUALIFIER}{self.code} ({self.band_vi})"

    @property
    def band(self) -> str:
        if (get_language() or "vi").startswith("en") and self.band_en:
            return self.band_en
        return self.band_vi

    @property
    def descriptor(self) -> str:
        if (get_language() or "vi").startswith("en") and self.descriptor_en:
            return self.descriptor_en
        return self.descriptor_vi or self.descriptor_en


class CompetenceMapping(models.Model):
    """A crosswalk link: `source` (in one framework) relates to `target` (in another).

    Relations are CASE association types, so a crosswalk exports as it is stored.
    """

    class Relation(models.TextChoices):
        EXACT_MATCH = "exactMatchOf", _("Tương đương")
        RELATED = "isRelatedTo", _("Gần tương đương")
        PART_OF = "isPartOf", _("Là một phần của")
        PEER = "isPeerOf", _("Cùng cấp với")

    source = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="mappings_out",
                               verbose_name=_("năng lực nguồn"))
    target = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="mappings_in",
                               verbose_name=_("năng lực đích"))
    relation = models.CharField(_("quan hệ"), max_length=16, choices=Relation.choices,
                                default=Relation.EXACT_MATCH)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("đối chiếu năng lực")
        verbose_name_plural = _("đối chiếu năng lực")
        ordering = ["source__framework__code", "source__code", "target__framework__code"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "relation"], name="mapping_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="mapping_not_to_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.source.qualified_code} {self.relation} {self.target.qualified_code}"
