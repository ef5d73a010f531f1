"""Lesson blocks: the shared content vocabulary plus audio and the quiz slot.

A lesson body is `LessonStreamBlock`: every block of `content.blocks.ContentStreamBlock`
(so a lesson looks like a help page), an audio block (with a transcript, for people who
cannot listen), and `quiz`, the place where the assessments app plugs a quiz in. Until
assessments wires it, the quiz block stores only the quiz's id and says where the quiz
will appear.
"""

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


class QuizBlock(blocks.StructBlock):
    """Where a quiz sits in a lesson. The assessments app renders the quiz itself."""

    quiz_id = blocks.IntegerBlock(label=_("Mã bài kiểm tra"), min_value=1)
    title = blocks.CharBlock(label=_("Tiêu đề"), required=False, max_length=200)

    class Meta:
        icon = "form"
        label = _("Bài kiểm tra")
        template = "courses/blocks/quiz_block.html"


class LessonStreamBlock(ContentStreamBlock):
    audio = AudioBlock()
    quiz = QuizBlock()


# Blocks a learner in low-data mode does not download (see LessonPage.body_for).
HEAVY_BLOCK_TYPES = frozenset({"video", "image", "audio"})
