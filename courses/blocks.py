"""Lesson blocks: the shared content vocabulary plus audio and the quiz slot.

A lesson body is `LessonStreamBlock`: every block of `content.blocks.ContentStreamBlock`
(so a lesson looks like a help page), an audio block (with a transcript, for people who
cannot listen), and `quiz`, a quiz of the question bank (assessments.quizzes) shown
with the learner's state: questions, pass mark, attempts used and left, best grade,
and a link to take, continue or review it.

The quiz block stores the quiz's id (`quiz_id`, an integer): quizzes are not Wagtail
snippets, so the editor picks one from a list, and the lesson page looks up the state
of every quiz block of the page in one selector call (courses.selectors.
quiz_states_for_learner) instead of one lookup per block.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

from content.blocks import RICH_TEXT_FEATURES, ContentStreamBlock


class AudioBlock(blocks.StructBlock):
    """An uploaded audio file (never autoplays, downloads nothing until played)."""

    title = blocks.CharBlock(label=_("Tiêu đề bản ghi âm"), max_length=200)
    file = DocumentChooserBlock(label=_("Tệp âm thanh (MP3, M4A, OGG)"))
    transcript = blocks.RichTextBlock(
        label=_("Bản ghi lời"), features=RICH_TEXT_FEATURES, required=False,
        help_text=_("Lời nói trong bản ghi âm, cho người không nghe được."),
    )

    class Meta:
        icon = "media"
        label = _("Âm thanh")
        template = "courses/blocks/audio_block.html"


def quiz_choices() -> list[tuple[int | str, str]]:
    """Every quiz of the bank, for the editor's list (evaluated when the form renders)."""
    from assessments.quizzes.models import Quiz

    closed = str(_("đang đóng"))
    rows = Quiz.objects.order_by("title", "id").values_list("id", "title", "is_active")
    return [("", "---------")] + [
        (pk, f"{title} (#{pk})" + ("" if active else f" — {closed}")) for pk, title, active in rows
    ]


class QuizChooserBlock(blocks.IntegerBlock):
    """Choose a quiz of the bank from a list; the value stays the quiz's id (an integer).

    Quizzes are not Wagtail snippets, so this is a plain select of the bank's quizzes;
    an id that matches no quiz fails validation with a clear message. Keeping the id as
    the value means rendering a lesson never loads quizzes block by block: the page asks
    for all its quizzes' states at once. Frozen into migrations as the IntegerBlock it
    stores (as Wagtail does for StructBlock subclasses), so the schema does not change.
    """

    def __init__(self, required: bool = True, help_text=None, **kwargs):
        super().__init__(required=required, help_text=help_text, **kwargs)
        self.field = forms.TypedChoiceField(
            choices=quiz_choices,
            coerce=int,
            empty_value=None,
            required=required,
            help_text=help_text,
            error_messages={
                "invalid_choice": _("Bài kiểm tra này không tồn tại; hãy chọn một bài trong danh sách."),
                "required": _("Hãy chọn một bài kiểm tra."),
            },
        )

    def to_python(self, value):
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def deconstruct(self):
        return ("wagtail.blocks.IntegerBlock", self._constructor_args[0], self._constructor_args[1])


class QuizBlock(blocks.StructBlock):
    """A quiz in a lesson, rendered with the learner's state and a link to it.

    The template reads the state from `quiz_states` in the page context (filled by
    LessonPage.get_context for every quiz block at once); rendered anywhere else, it
    looks the one quiz up itself.
    """

    quiz_id = QuizChooserBlock(label=_("Mã bài kiểm tra"), min_value=1)
    # Empty: the quiz's own title is shown.
    title = blocks.CharBlock(label=_("Tiêu đề"), required=False, max_length=200)

    class Meta:
        icon = "form"
        label = _("Bài kiểm tra")
        template = "courses/blocks/quiz_block.html"

    def get_context(self, value, parent_context=None):
        from courses.selectors import quiz_states_for_learner

        context = super().get_context(value, parent_context=parent_context)
        quiz_id = value.get("quiz_id")
        states = (parent_context or {}).get("quiz_states")
        if states is None and quiz_id:
            request = (parent_context or {}).get("request")
            states = quiz_states_for_learner(quiz_ids=[quiz_id], learner=getattr(request, "user", None))
        context["quiz_state"] = (states or {}).get(quiz_id)
        return context


class LessonStreamBlock(ContentStreamBlock):
    audio = AudioBlock()
    quiz = QuizBlock()


# Blocks a learner in low-data mode does not download (see LessonPage.body_for).
HEAVY_BLOCK_TYPES = frozenset({"video", "image", "audio"})
