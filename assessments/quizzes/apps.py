from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    """Question bank, quizzes and attempts (a sub-app of assessments, own migrations)."""

    name = "assessments.quizzes"
    label = "quizzes"
    verbose_name = _("Ngân hàng câu hỏi và bài kiểm tra")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from assessments.quizzes import evidence

        # Competence evidence from graded attempts (issue 4).
        evidence.connect()
