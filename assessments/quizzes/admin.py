"""Editing the bank and quizzes in the Django admin (a Wagtail snippet UI can come later).

Attempts and responses are read-only: they change only through the services.
"""

from django.contrib import admin

from .models import (
    Attempt,
    Choice,
    MatchPair,
    NumericAnswer,
    Question,
    QuestionCategory,
    Quiz,
    QuizDrawRule,
    QuizQuestion,
    Response,
    ShortTextAnswer,
)


@admin.register(QuestionCategory)
class QuestionCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent")
    search_fields = ("name",)
    autocomplete_fields = ("parent",)


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


class MatchPairInline(admin.TabularInline):
    model = MatchPair
    extra = 0


class NumericAnswerInline(admin.TabularInline):
    model = NumericAnswer
    extra = 0


class ShortTextAnswerInline(admin.TabularInline):
    model = ShortTextAnswer
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "type", "category", "level", "default_points", "version", "is_active")
    list_filter = ("type", "level", "is_active", "category")
    search_fields = ("text",)
    autocomplete_fields = ("category",)
    filter_horizontal = ("competences",)
    inlines = [ChoiceInline, MatchPairInline, NumericAnswerInline, ShortTextAnswerInline]
    list_per_page = 100


class QuizQuestionInline(admin.TabularInline):
    model = QuizQuestion
    extra = 0
    autocomplete_fields = ("question",)


class QuizDrawRuleInline(admin.TabularInline):
    model = QuizDrawRule
    extra = 0


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "pass_mark_percent",
        "max_attempts",
        "time_limit_seconds",
        "grade_method",
        "is_active",
    )
    list_filter = ("is_active", "grade_method", "review_rule")
    search_fields = ("title",)
    inlines = [QuizQuestionInline, QuizDrawRuleInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "quiz",
        "learner_id",
        "number",
        "state",
        "score",
        "max_score",
        "passed",
        "started_at",
    )
    list_filter = ("state", "passed")
    raw_id_fields = ("quiz", "learner")
    list_per_page = 100


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ("id", "attempt_id", "question_id", "score", "correct", "saved_at")
    raw_id_fields = ("attempt", "question")
    list_per_page = 100
