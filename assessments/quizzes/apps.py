from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    """Question bank, quizzes and attempts (a sub-app of assessments, own migrations)."""

    name = "assessments.quizzes"
    label = "quizzes"
    verbose_name = _("Ngân hàng câu hỏi và bài kiểm tra")
    default_auto_field = "django.db.models.BigAutoField"
