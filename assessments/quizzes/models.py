"""Question bank, quizzes, attempts and responses.

The bank: categories (a tree) hold questions; a question has a type, a level 1–8, the
framework competences it checks, and its key — choices with weights (single, multiple,
true/false, ordering), matching pairs, numeric answers with a tolerance, or accepted
short-text variants. The rules that turn a key and an answer into a score are in
`assessments.quizzes.grading`.

A quiz lists fixed questions and/or draw rules ("5 from Safety, level 1–2"). An attempt
freezes, when it starts, which questions were drawn and in which order their options are
shown (`Attempt.layout`, drawn from `Attempt.seed`): reopening an attempt shows the same
paper. A response is one answer to one question of one attempt, saved as the learner
goes and graded on the server when the attempt is submitted or times out.

Attempts and responses point to the learner by id and hold no personal data.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(8)]


class QuestionCategory(models.Model):
    name = models.CharField(_("tên"), max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("thuộc nhóm"),
    )
    description = models.TextField(_("mô tả"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nhóm câu hỏi")
        verbose_name_plural = _("nhóm câu hỏi")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="quizzes_category_name_unique_in_parent"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="quizzes_category_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    class Type(models.TextChoices):
        SINGLE_CHOICE = "single_choice", _("Một lựa chọn đúng")
        MULTIPLE_CHOICE = "multiple_choice", _("Nhiều lựa chọn đúng")
        TRUE_FALSE = "true_false", _("Đúng / Sai")
        MATCHING = "matching", _("Ghép cặp")
        ORDERING = "ordering", _("Sắp xếp thứ tự")
        NUMERIC = "numeric", _("Số")
        SHORT_TEXT = "short_text", _("Trả lời ngắn")

    # Types whose key is a list of Choice rows.
    CHOICE_TYPES = (Type.SINGLE_CHOICE, Type.MULTIPLE_CHOICE, Type.TRUE_FALSE, Type.ORDERING)

    category = models.ForeignKey(
        QuestionCategory, on_delete=models.PROTECT, related_name="questions", verbose_name=_("nhóm")
    )
    type = models.CharField(_("loại"), max_length=20, choices=Type.choices)
    text = models.TextField(_("nội dung câu hỏi"))
    feedback = models.TextField(
        _("nhận xét chung"),
        blank=True,
        help_text=_("Hiện sau khi nộp bài, theo quy tắc xem lại của bài kiểm tra."),
    )
    explanation = models.TextField(_("giải thích"), blank=True)
    level = models.PositiveSmallIntegerField(_("trình độ (1–8)"), default=1, validators=LEVEL_VALIDATORS)
    competences = models.ManyToManyField(
        "assessments.Competence", blank=True, related_name="questions", verbose_name=_("năng lực")
    )
    default_points = models.DecimalField(
        _("điểm mặc định"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    # The version this one replaced (question_revise): attempts keep pointing at the
    # version they were graded with; quizzes move to the new one.
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("thay cho phiên bản"),
    )
    is_active = models.BooleanField(
        _("đang dùng"), default=True, help_text=_("Câu hỏi ngừng dùng không được rút vào lần làm bài mới.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("câu hỏi")
        ordering = ["id"]
        indexes = [models.Index(fields=["category", "is_active", "level"], name="quizzes_q_draw_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=8), name="quizzes_question_level_1_8"
            ),
            models.CheckConstraint(
                condition=Q(default_points__gt=0), name="quizzes_question_points_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Choice(models.Model):
    """An option of a single/multiple choice or true/false question, or an item of an
    ordering question (`ordering` is then its correct position).

    `weight` is the share of the question's points the option earns when selected:
    1 for the right answer of a single-choice question; for multiple choice, empty means
    "equal share" (a correct option earns 1/k of the points with k correct options, a
    wrong one costs 1/w with w wrong options — see grading.grade_multiple_choice)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.TextField(_("nội dung"))
    is_correct = models.BooleanField(_("đúng"), default=False)
    weight = models.DecimalField(
        _("tỉ lệ điểm"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-1")), MaxValueValidator(Decimal("1"))],
    )
    feedback = models.TextField(_("nhận xét cho lựa chọn này"), blank=True)
    ordering = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("lựa chọn")
        verbose_name_plural = _("lựa chọn")
        ordering = ["question", "ordering", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | Q(weight__gte=-1, weight__lte=1),
                name="quizzes_choice_weight_range",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class MatchPair(models.Model):
    """A prompt and the answer that matches it. A pair with an empty prompt is a
    distractor: its answer is offered but matches nothing."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="pairs")
    prompt = models.TextField(_("vế trái"), blank=True)
    answer = models.CharField(_("vế phải"), max_length=500)
    ordering = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("cặp ghép")
        verbose_name_plural = _("cặp ghép")
        ordering = ["question", "ordering", "id"]

    def __str__(self) -> str:
        return f"{self.prompt[:40]} → {self.answer[:40]}"


class NumericAnswer(models.Model):
    """An accepted number: a response within `tolerance` of `value` earns `fraction`."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="numeric_answers")
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=6)
    tolerance = models.DecimalField(
        _("sai số cho phép"),
        max_digits=20,
        decimal_places=6,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    fraction = models.DecimalField(
        _("tỉ lệ điểm"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )

    class Meta:
        verbose_name = _("đáp số")
        verbose_name_plural = _("đáp số")
        ordering = ["question", "-fraction", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(tolerance__gte=0), name="quizzes_numeric_tolerance_positive"),
            models.CheckConstraint(
                condition=Q(fraction__gte=0, fraction__lte=1), name="quizzes_numeric_fraction_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} ± {self.tolerance}"


class ShortTextAnswer(models.Model):
    """An accepted short answer, compared without accents, case or extra spaces
    (lms.core.text.fold): "Ha Noi" matches "Hà Nội"."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="text_answers")
    text = models.CharField(_("đáp án chấp nhận"), max_length=500)
    fraction = models.DecimalField(
        _("tỉ lệ điểm"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )

    class Meta:
        verbose_name = _("đáp án chấp nhận")
        verbose_name_plural = _("đáp án chấp nhận")
        ordering = ["question", "-fraction", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fraction__gte=0, fraction__lte=1), name="quizzes_text_fraction_range"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Quiz(models.Model):
    class GradeMethod(models.TextChoices):
        HIGHEST = "highest", _("Lần cao nhất")
        LAST = "last", _("Lần cuối cùng")
        AVERAGE = "average", _("Trung bình các lần")

    class ReviewRule(models.TextChoices):
        AFTER_SUBMISSION = "after_submission", _("Xem đáp án ngay sau khi nộp bài")
        AFTER_CLOSE = "after_close", _("Xem đáp án khi bài kiểm tra đã đóng")
        NEVER = "never", _("Không cho xem đáp án")

    title = models.CharField(_("tên bài kiểm tra"), max_length=255)
    description = models.TextField(_("hướng dẫn"), blank=True)
    shuffle_questions = models.BooleanField(_("xáo trộn thứ tự câu hỏi"), default=False)
    shuffle_options = models.BooleanField(_("xáo trộn các lựa chọn"), default=True)
    pass_mark_percent = models.DecimalField(
        _("điểm đạt (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("số lần làm tối đa"), null=True, blank=True, help_text=_("Để trống: không giới hạn.")
    )
    time_limit_seconds = models.PositiveIntegerField(
        _("thời gian làm bài (giây)"), null=True, blank=True, help_text=_("Để trống: không giới hạn.")
    )
    grade_method = models.CharField(
        _("cách tính điểm"), max_length=16, choices=GradeMethod.choices, default=GradeMethod.HIGHEST
    )
    review_rule = models.CharField(
        _("xem lại bài"), max_length=20, choices=ReviewRule.choices, default=ReviewRule.AFTER_SUBMISSION
    )
    opens_at = models.DateTimeField(_("mở từ"), null=True, blank=True)
    closes_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)
    is_active = models.BooleanField(_("đang mở"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bài kiểm tra")
        verbose_name_plural = _("bài kiểm tra")
        ordering = ["-id"]
        permissions = [("view_item_statistics", _("Xem thống kê câu hỏi"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark_percent__gte=0, pass_mark_percent__lte=100),
                name="quizzes_quiz_pass_mark_range",
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__isnull=True) | Q(max_attempts__gte=1),
                name="quizzes_quiz_max_attempts_positive",
            ),
            models.CheckConstraint(
                condition=Q(time_limit_seconds__isnull=True) | Q(time_limit_seconds__gte=1),
                name="quizzes_quiz_time_limit_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if (
            self.review_rule == self.ReviewRule.AFTER_CLOSE
            and self.closes_at is None
            and not self.max_attempts
        ):
            raise ValidationError(
                {"review_rule": _("“Khi bài kiểm tra đã đóng” cần thời điểm đóng hoặc giới hạn số lần làm.")}
            )
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": _("Thời điểm đóng phải sau thời điểm mở.")})


class QuizQuestion(models.Model):
    """A question every attempt of the quiz gets."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="fixed_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="quiz_slots")
    ordering = models.PositiveIntegerField(_("thứ tự"), default=0)
    points = models.DecimalField(
        _("điểm"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Để trống: điểm mặc định của câu hỏi."),
    )

    class Meta:
        verbose_name = _("câu hỏi cố định")
        verbose_name_plural = _("câu hỏi cố định")
        ordering = ["quiz", "ordering", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "question"], name="quizzes_quizquestion_unique"),
            models.CheckConstraint(
                condition=Q(points__isnull=True) | Q(points__gt=0),
                name="quizzes_quizquestion_points_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id}: {self.question_id}"


class QuizDrawRule(models.Model):
    """ "`count` questions drawn at random from `category` (and its sub-categories),
    level `level_min`–`level_max`", different for each attempt."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="draw_rules")
    category = models.ForeignKey(QuestionCategory, on_delete=models.PROTECT, related_name="draw_rules")
    include_subcategories = models.BooleanField(_("gồm cả nhóm con"), default=True)
    count = models.PositiveSmallIntegerField(_("số câu"), validators=[MinValueValidator(1)])
    level_min = models.PositiveSmallIntegerField(_("trình độ từ"), default=1, validators=LEVEL_VALIDATORS)
    level_max = models.PositiveSmallIntegerField(_("trình độ đến"), default=8, validators=LEVEL_VALIDATORS)
    points = models.DecimalField(
        _("điểm mỗi câu"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Để trống: điểm mặc định của từng câu hỏi."),
    )
    ordering = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("quy tắc rút câu hỏi")
        verbose_name_plural = _("quy tắc rút câu hỏi")
        ordering = ["quiz", "ordering", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="quizzes_drawrule_count_positive"),
            models.CheckConstraint(
                condition=Q(level_min__lte=F("level_max")), name="quizzes_drawrule_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} × {self.category_id} ({self.level_min}–{self.level_max})"


class Attempt(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("Đang làm")
        SUBMITTED = "submitted", _("Đã nộp")
        TIMED_OUT = "timed_out", _("Hết giờ")

    GRADED_STATES = (State.SUBMITTED, State.TIMED_OUT)

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    number = models.PositiveIntegerField(_("lần thứ"))
    state = models.CharField(_("trạng thái"), max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    seed = models.BigIntegerField(_("hạt giống rút câu hỏi"))
    # Frozen paper: [{"question": id, "version": n, "points": "1.00", "options": [ids],
    #                 "prompts": [pair ids], "answers": [pair ids]}], in display order.
    layout = models.JSONField(_("đề đã rút"), default=list)
    started_at = models.DateTimeField(_("bắt đầu lúc"))
    deadline_at = models.DateTimeField(_("hạn nộp"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    score = models.DecimalField(_("điểm"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("điểm tối đa"), max_digits=8, decimal_places=2, default=Decimal("0"))
    passed = models.BooleanField(_("đạt"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần làm bài")
        verbose_name_plural = _("lần làm bài")
        ordering = ["quiz", "learner", "number"]
        indexes = [
            models.Index(fields=["state", "deadline_at"], name="quizzes_attempt_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "learner", "number"], name="quizzes_attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["quiz", "learner"],
                condition=Q(state="in_progress"),
                name="quizzes_attempt_one_in_progress",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="quizzes_attempt_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id}/{self.learner_id} #{self.number} ({self.state})"

    @property
    def is_graded(self) -> bool:
        return self.state in self.GRADED_STATES

    @property
    def percent(self) -> Decimal | None:
        if self.score is None or not self.max_score:
            return None
        return (self.score * 100 / self.max_score).quantize(Decimal("0.01"))


class Response(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="responses")
    answer = models.JSONField(_("câu trả lời"), default=dict)
    saved_at = models.DateTimeField(_("lưu lúc"))
    score = models.DecimalField(_("điểm"), max_digits=8, decimal_places=2, null=True, blank=True)
    fraction = models.DecimalField(_("tỉ lệ đúng"), max_digits=7, decimal_places=6, null=True, blank=True)
    correct = models.BooleanField(_("đúng hoàn toàn"), null=True, blank=True)

    class Meta:
        verbose_name = _("câu trả lời")
        verbose_name_plural = _("câu trả lời")
        ordering = ["attempt", "id"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="quizzes_response_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}"
