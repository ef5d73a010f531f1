"""The StreamField block vocabulary shared by every page type.

Editorial pages use `ContentStreamBlock`; courses reuse it (or pick single blocks) for
lessons, so a lesson and a help page look and behave the same. Each block renders
with `content/blocks/<block_snake>.html` and must stay readable without JavaScript.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul"]


class HeadingBlock(blocks.StructBlock):
    """A section heading. Pages own the h1, so body headings are h2 or h3."""

    text = blocks.CharBlock(label=_("Tiêu đề"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("Cấp"),
        choices=[("h2", _("Tiêu đề mục (h2)")), ("h3", _("Tiêu đề mục con (h3)"))],
        default="h2",
        search_index=False,
    )

    class Meta:
        icon = "title"
        label = _("Tiêu đề")
        template = "content/blocks/heading_block.html"


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Đoạn văn")
        template = "content/blocks/paragraph_block.html"


class ImageBlock(blocks.StructBlock):
    """An image that always carries a text alternative for screen-reader users."""

    image = ImageChooserBlock(label=_("Ảnh"))
    alt_text = blocks.CharBlock(
        label=_("Mô tả ảnh (văn bản thay thế)"),
        max_length=250,
        help_text=_("Mô tả ngắn những gì ảnh cho thấy, dành cho người dùng trình đọc màn hình."),
    )
    caption = blocks.CharBlock(label=_("Chú thích"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Ảnh")
        template = "content/blocks/image_block.html"


class CalloutBlock(blocks.StructBlock):
    KIND_CHOICES = [
        ("tip", _("Mẹo")),
        ("warning", _("Cảnh báo")),
        ("phone", _("Thử trên điện thoại của bạn")),
    ]

    kind = blocks.ChoiceBlock(label=_("Loại"), choices=KIND_CHOICES, default="tip", search_index=False)
    title = blocks.CharBlock(label=_("Tiêu đề"), required=False, max_length=120)
    text = blocks.RichTextBlock(label=_("Nội dung"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        label = _("Hộp lưu ý")
        template = "content/blocks/callout_block.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["kind_label"] = dict(self.KIND_CHOICES).get(value.get("kind"), "")
        return context


class StepBlock(blocks.StructBlock):
    text = blocks.RichTextBlock(label=_("Việc cần làm"), features=RICH_TEXT_FEATURES)
    screenshot = ImageChooserBlock(label=_("Ảnh chụp màn hình"), required=False)
    screenshot_alt = blocks.CharBlock(
        label=_("Mô tả ảnh chụp màn hình"), required=False, max_length=250
    )

    class Meta:
        icon = "list-ol"
        label = _("Bước")

    def clean(self, value):
        value = super().clean(value)
        if value.get("screenshot") and not value.get("screenshot_alt"):
            raise StructBlockValidationError(
                block_errors={
                    "screenshot_alt": ValidationError(_("Ảnh chụp màn hình cần có mô tả."))
                }
            )
        return value


class StepByStepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Tiêu đề hướng dẫn"), required=False, max_length=200)
    steps = blocks.ListBlock(StepBlock(), label=_("Các bước"), min_num=1)

    class Meta:
        icon = "list-ol"
        label = _("Hướng dẫn từng bước")
        template = "content/blocks/step_by_step_block.html"


class VideoBlock(blocks.StructBlock):
    """A video from an embed address or an uploaded file; a transcript is required.

    Never autoplays: the uploaded file is shown with controls and `preload="none"` so a
    phone on a poor connection downloads nothing until the person presses play.
    """

    title = blocks.CharBlock(label=_("Tiêu đề video"), max_length=200)
    embed = EmbedBlock(
        label=_("Địa chỉ video (YouTube…)"),
        required=False,
        help_text=_("Nhập địa chỉ video hoặc chọn một tệp video đã tải lên, không cần cả hai."),
    )
    file = DocumentChooserBlock(label=_("Tệp video đã tải lên"), required=False)
    transcript = blocks.RichTextBlock(
        label=_("Bản ghi lời"),
        features=RICH_TEXT_FEATURES,
        help_text=_("Toàn bộ lời nói trong video, cho người không nghe hoặc không xem được."),
    )

    class Meta:
        icon = "media"
        label = _("Video")
        template = "content/blocks/video_block.html"

    def clean(self, value):
        value = super().clean(value)
        has_embed, has_file = bool(value.get("embed")), bool(value.get("file"))
        if has_embed == has_file:
            message = ValidationError(_("Chọn đúng một nguồn video: địa chỉ video hoặc tệp đã tải lên."))
            raise StructBlockValidationError(block_errors={"embed": message})
        return value


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Tài liệu"))
    title = blocks.CharBlock(
        label=_("Tên hiển thị"), required=False, max_length=200,
        help_text=_("Để trống để dùng tên của tài liệu."),
    )

    class Meta:
        icon = "doc-full"
        label = _("Tải tài liệu")
        template = "content/blocks/document_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Trích dẫn"))
    attribution = blocks.CharBlock(label=_("Người nói"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = _("Trích dẫn")
        template = "content/blocks/quote_block.html"


class ContentStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    image = ImageBlock()
    callout = CalloutBlock()
    steps = StepByStepBlock()
    video = VideoBlock()
    document = DocumentBlock()
    quote = QuoteBlock()


class FeaturedLinkBlock(blocks.StructBlock):
    """A card on the home page: to a page of the site or to another address."""

    title = blocks.CharBlock(label=_("Tiêu đề"), max_length=120)
    description = blocks.TextBlock(label=_("Mô tả ngắn"), required=False, max_length=300)
    page = blocks.PageChooserBlock(label=_("Trang trong trang web"), required=False)
    url = blocks.URLBlock(label=_("Hoặc địa chỉ khác"), required=False)

    class Meta:
        icon = "link"
        label = _("Liên kết nổi bật")
        template = "content/blocks/featured_link_block.html"

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            message = ValidationError(_("Chọn một trang hoặc nhập một địa chỉ, không cả hai."))
            raise StructBlockValidationError(block_errors={"page": message})
        return value
