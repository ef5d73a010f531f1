"""Editorial pages: home, standard pages, news and help, plus the site settings."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from content.blocks import RICH_TEXT_FEATURES, ContentStreamBlock, FeaturedLinkBlock
from content.search import FoldedSearchMixin, folded_search_fields

NEWS_PER_PAGE = 10


class HomePage(FoldedSearchMixin, Page):
    hero_title = models.CharField(_("tiêu đề lớn"), max_length=200)
    hero_text = models.TextField(_("lời giới thiệu ngắn"), blank=True)
    hero_cta_text = models.CharField(_("chữ trên nút"), max_length=60, blank=True)
    hero_cta_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("nút dẫn đến trang"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    intro = RichTextField(_("giới thiệu"), features=RICH_TEXT_FEATURES, blank=True)
    featured_links = StreamField(
        [("link", FeaturedLinkBlock())], verbose_name=_("liên kết nổi bật"), blank=True
    )

    # Only directly under the tree root: one home page per site. Subpage types are left
    # open so that other apps (the course catalogue) can hang their index pages here;
    # news articles and help pages are kept away by their own parent_page_types.
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("hero_title"), FieldPanel("hero_text"), FieldPanel("hero_cta_text"),
             FieldPanel("hero_cta_page")],
            heading=_("Phần đầu trang"),
        ),
        FieldPanel("intro"),
        FieldPanel("featured_links"),
    ]
    search_fields = Page.search_fields + folded_search_fields()

    class Meta:
        verbose_name = _("trang chủ")
        verbose_name_plural = _("trang chủ")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = (
            NewsArticlePage.objects.live().public().descendant_of(self)
            .order_by("-date", "-first_published_at")[:3]
        )
        return context


class StandardPage(FoldedSearchMixin, Page):
    intro = models.TextField(_("giới thiệu"), blank=True)
    body = StreamField(ContentStreamBlock(), verbose_name=_("nội dung"), blank=True)

    parent_page_types = ["content.HomePage", "content.StandardPage"]
    subpage_types = ["content.StandardPage"]

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + folded_search_fields()

    class Meta:
        verbose_name = _("trang thông tin")
        verbose_name_plural = _("trang thông tin")


class NewsIndexPage(FoldedSearchMixin, Page):
    intro = models.TextField(_("giới thiệu"), blank=True)

    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.NewsArticlePage"]

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + folded_search_fields()

    class Meta:
        verbose_name = _("danh sách tin tức")
        verbose_name_plural = _("danh sách tin tức")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = (
            NewsArticlePage.objects.live().public().child_of(self)
            .select_related("image").order_by("-date", "-first_published_at", "-pk")
        )
        # get_page() turns a missing or nonsense ?page= into the first or last page.
        context["articles"] = Paginator(articles, NEWS_PER_PAGE).get_page(request.GET.get("page"))
        return context


class NewsArticlePage(FoldedSearchMixin, Page):
    date = models.DateField(_("ngày đăng"), default=timezone.localdate)
    intro = models.TextField(_("tóm tắt"), max_length=400)
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("ảnh"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    image_alt = models.CharField(
        _("mô tả ảnh"), max_length=250, blank=True,
        help_text=_("Bắt buộc khi có ảnh, trừ khi ảnh đã có mô tả trong thư viện ảnh."),
    )
    body = StreamField(ContentStreamBlock(), verbose_name=_("nội dung"))

    parent_page_types = ["content.NewsIndexPage"]
    subpage_types: list[str] = []

    content_panels = Page.content_panels + [
        FieldPanel("date"), FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Ảnh")),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + folded_search_fields()

    class Meta:
        verbose_name = _("bài tin tức")
        verbose_name_plural = _("bài tin tức")

    def clean(self):
        super().clean()
        if self.image_id and not self.image_alt and not getattr(self.image, "description", ""):
            raise ValidationError({"image_alt": _("Hãy mô tả ảnh cho người dùng trình đọc màn hình.")})

    @property
    def image_alt_text(self) -> str:
        return self.image_alt or getattr(self.image, "description", "") or ""


class HelpIndexPage(FoldedSearchMixin, Page):
    intro = models.TextField(_("giới thiệu"), blank=True)

    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.HelpPage"]

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + folded_search_fields()

    class Meta:
        verbose_name = _("trung tâm trợ giúp")
        verbose_name_plural = _("trung tâm trợ giúp")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pages = HelpPage.objects.live().public().child_of(self).order_by("path")
        groups: dict[str, list] = {}
        for help_page in pages:
            groups.setdefault(help_page.topic, []).append(help_page)
        labels = dict(HelpPage.Topic.choices)
        # Topics in the order they are declared, whatever their labels sort to.
        context["topics"] = [
            {"key": key, "label": labels[key], "pages": groups[key]}
            for key in HelpPage.Topic.values if key in groups
        ]
        return context


class HelpPage(FoldedSearchMixin, Page):
    class Topic(models.TextChoices):
        ACCOUNT = "account", _("Tài khoản và đăng nhập")
        LEARNING = "learning", _("Học tập và chứng chỉ")
        PUBLIC_SERVICES = "public_services", _("VNeID và dịch vụ công")
        SAFETY = "safety", _("An toàn trên mạng")
        OTHER = "other", _("Câu hỏi khác")

    topic = models.CharField(_("chủ đề"), max_length=30, choices=Topic.choices, default=Topic.OTHER)
    summary = models.TextField(_("tóm tắt"), max_length=400, blank=True)
    body = StreamField(ContentStreamBlock(), verbose_name=_("nội dung"))

    parent_page_types = ["content.HelpIndexPage"]
    subpage_types: list[str] = []

    content_panels = Page.content_panels + [FieldPanel("topic"), FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + folded_search_fields()

    class Meta:
        verbose_name = _("bài trợ giúp")
        verbose_name_plural = _("bài trợ giúp")


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    contact_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    contact_phone = models.CharField(_("số điện thoại hỗ trợ"), max_length=30, blank=True)
    support_hours = models.CharField(_("giờ hỗ trợ"), max_length=120, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=250, blank=True)
    footer_text = models.TextField(_("lời chân trang"), blank=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("contact_email"), FieldPanel("contact_phone"), FieldPanel("support_hours"),
             FieldPanel("address")],
            heading=_("Liên hệ"),
        ),
        FieldPanel("footer_text"),
    ]

    class Meta:
        verbose_name = _("cài đặt trang web")
        verbose_name_plural = _("cài đặt trang web")
