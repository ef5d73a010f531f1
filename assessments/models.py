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

    @property
    def short_name(self) -> str:
        """The code without its version, for "từ khung TT02 1.1" (`tt02-2025` → TT02)."""
        return self.code.split("-")[0].upper()


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


# --- Self-assessment, evidence, target profiles ------------------------------------------
# The self-assessment instrument is versioned data (assessments/data/selfassessment_*.json,
# loaded by `load_selfassessment`); its scoring rules travel with it in `scoring`, so a
# result is always computed by the rules of the version the person answered.


class Instrument(Bilingual):
    """One version of a self-assessment questionnaire with its scoring rules."""

    code = models.CharField(_("mã"), max_length=64, validators=[CODE_VALIDATOR])
    version = models.CharField(_("phiên bản"), max_length=32)
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="instruments",
                                  verbose_name=_("khung năng lực"))
    steps = models.JSONField(_("các bước"), default=list)
    scale = models.JSONField(_("thang trả lời"), default=list)
    scoring = models.JSONField(_("quy tắc tính điểm"), default=dict)
    is_current = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bộ công cụ tự đánh giá")
        verbose_name_plural = _("bộ công cụ tự đánh giá")
        ordering = ["code", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_code_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title_vi} ({self.code} v{self.version})"


class Item(models.Model):
    class Kind(models.TextChoices):
        SELF = "self", _("Tự nhận xét")
        KNOWLEDGE = "knowledge", _("Kiểm tra hiểu biết")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items",
                                   verbose_name=_("bộ công cụ"))
    code = models.CharField(_("mã"), max_length=32)
    step = models.CharField(_("bước"), max_length=16)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices, default=Kind.SELF)
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="selfassessment_items",
                                   verbose_name=_("năng lực"))
    level = models.PositiveSmallIntegerField(_("bậc trình độ minh chứng"))
    text_vi = models.TextField(_("nội dung (tiếng Việt)"))
    text_en = models.TextField(_("nội dung (tiếng Anh)"), blank=True)
    ordering = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("câu tự đánh giá")
        verbose_name_plural = _("câu tự đánh giá")
        ordering = ["instrument", "ordering"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="item_code_unique_in_instrument"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text_vi[:60]}"

    @property
    def text(self) -> str:
        if (get_language() or "vi").startswith("en") and self.text_en:
            return self.text_en
        return self.text_vi


class Option(models.Model):
    """An answer: a point on the scale (`value`) or, for a knowledge check, a choice."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="options", verbose_name=_("câu"))
    code = models.CharField(_("mã"), max_length=16)
    text_vi = models.CharField(_("nội dung (tiếng Việt)"), max_length=500)
    text_en = models.CharField(_("nội dung (tiếng Anh)"), max_length=500, blank=True)
    value = models.PositiveSmallIntegerField(_("giá trị"), default=0)
    is_correct = models.BooleanField(_("đáp án đúng"), default=False)
    ordering = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("lựa chọn")
        verbose_name_plural = _("lựa chọn")
        ordering = ["item", "ordering"]
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="option_code_unique_in_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}/{self.code}"

    @property
    def text(self) -> str:
        if (get_language() or "vi").startswith("en") and self.text_en:
            return self.text_en
        return self.text_vi


class SelfAssessment(models.Model):
    """One person's run through an instrument: answers saved per step, then completed."""

    person = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="self_assessments",
                               verbose_name=_("người tự đánh giá"))
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="runs",
                                   verbose_name=_("bộ công cụ"))
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    result = models.JSONField(_("kết quả"), default=dict, blank=True)

    class Meta:
        verbose_name = _("lượt tự đánh giá")
        verbose_name_plural = _("lượt tự đánh giá")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "instrument"], condition=Q(completed_at__isnull=True),
                name="selfassessment_one_open_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.instrument}"


class SelfAssessmentAnswer(models.Model):
    run = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="+")
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "item"], name="selfassessment_one_answer_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.item_id}: {self.option_id}"


class Evidence(models.Model):
    """Something that says a person has a competence at a level. Never edited: a
    correction is a new record that names the one it corrects (`supersedes`)."""

    class Method(models.TextChoices):
        SELF_ASSESSED = "self_assessed", _("Tự đánh giá")
        QUIZ = "quiz", _("Bài kiểm tra")
        COURSE_COMPLETED = "course_completed", _("Hoàn thành khóa học")
        OBSERVED_VISIT = "observed_visit", _("Quan sát khi hỗ trợ tại hộ gia đình")
        RECOGNISED_BY_STAFF = "recognised_by_staff", _("Cán bộ công nhận")

    person = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="evidence",
                               verbose_name=_("người"))
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="evidence",
                                   verbose_name=_("năng lực"))
    level = models.PositiveSmallIntegerField(
        _("bậc"), help_text=_("0 = chưa đạt bậc 1; 1–8 theo bậc của khung năng lực.")
    )
    method = models.CharField(_("cách ghi nhận"), max_length=24, choices=Method.choices)
    date = models.DateField(_("ngày"))
    source_type = models.CharField(_("loại nguồn"), max_length=64, blank=True,
                                   help_text=_("Ví dụ “quizzes.attempt”, “courses.completion”."))
    source_id = models.CharField(_("mã nguồn"), max_length=64, blank=True)
    source_label = models.CharField(_("nguồn"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    url = models.URLField(_("đường dẫn"), max_length=500, blank=True,
                          help_text=_("Nơi xem điều đã tạo ra minh chứng (biên bản, sản phẩm, chứng chỉ…)."))
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="corrections", verbose_name=_("sửa cho minh chứng"))
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("người ghi nhận"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("minh chứng năng lực")
        verbose_name_plural = _("minh chứng năng lực")
        ordering = ["person", "competence", "-date", "-created_at"]
        indexes = [models.Index(fields=["person", "competence"], name="evidence_person_competence")]
        constraints = [
            models.CheckConstraint(condition=Q(level__lte=8), name="evidence_level_0_to_8"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.competence_id} {self.level} ({self.method})"

    @property
    def display_label(self) -> str:
        """The source label in the current language (assessments.labels.evidence_text)."""
        from .labels import evidence_text

        return evidence_text(source_type=self.source_type, field="source_label", text=self.source_label)

    @property
    def display_note(self) -> str:
        from .labels import evidence_text

        return evidence_text(source_type=self.source_type, field="note", text=self.note)


class TargetProfile(models.Model):
    """Required levels per competence (for a position, a programme, a year)."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="target_profiles",
                                  verbose_name=_("khung năng lực"))
    code = models.SlugField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    year = models.PositiveSmallIntegerField(_("năm áp dụng"), null=True, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hồ sơ năng lực yêu cầu")
        verbose_name_plural = _("hồ sơ năng lực yêu cầu")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})" if self.year else self.name


class TargetLevel(models.Model):
    target = models.ForeignKey(TargetProfile, on_delete=models.CASCADE, related_name="levels",
                               verbose_name=_("hồ sơ yêu cầu"))
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("năng lực"))
    level = models.PositiveSmallIntegerField(_("bậc yêu cầu"))

    class Meta:
        verbose_name = _("bậc yêu cầu")
        verbose_name_plural = _("bậc yêu cầu")
        constraints = [
            models.UniqueConstraint(fields=["target", "competence"], name="target_level_unique"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=8), name="target_level_1_to_8"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.competence_id} ≥ {self.level}"
