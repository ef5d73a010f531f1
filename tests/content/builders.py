"""Page trees for the content tests, built the way editors build them: add, then publish."""

import datetime

from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.models import Page, Site
from wagtail_factories import DocumentFactory, ImageFactory

from content.models import HelpIndexPage, HelpPage, HomePage, NewsArticlePage, NewsIndexPage, StandardPage

EMBED_URL = "https://www.youtube.com/watch?v=demo-video"


def page_publish(*, parent: Page, page: Page) -> Page:
    page.live = False
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def home_build() -> HomePage:
    """A home page made the default site's root (replacing Wagtail's welcome page)."""
    home = page_publish(
        parent=Page.get_first_root_node(),
        page=HomePage(title="Trang chủ", slug="trang-chu-test", hero_title="Học kỹ năng số miễn phí"),
    )
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    return home


def paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def every_block_body() -> list[dict]:
    """One of each block of the shared vocabulary, with media that renders offline."""
    image = ImageFactory(title="Màn hình VNeID")
    document = DocumentFactory(title="Cẩm nang kỹ năng số")
    video_file = DocumentFactory(title="Video hướng dẫn")
    # A cached embed, so rendering never goes to the network.
    Embed.objects.create(
        hash=get_embed_hash(EMBED_URL), url=EMBED_URL, type="video", title="Video",
        html='<iframe title="Video VNeID" src="https://www.youtube.com/embed/demo"></iframe>',
        thumbnail_url="", author_name="", provider_name="YouTube",
    )
    return [
        {"type": "heading", "value": {"text": "Phần một", "level": "h2"}},
        {"type": "heading", "value": {"text": "Mục nhỏ", "level": "h3"}},
        paragraph("Đoạn văn <b>quan trọng</b>."),
        {"type": "image", "value": {"image": image.pk, "alt_text": "Ảnh màn hình đăng nhập",
                                    "caption": "Màn hình đăng nhập"}},
        {"type": "callout", "value": {"kind": "tip", "title": "", "text": "<p>Mẹo hay</p>"}},
        {"type": "callout", "value": {"kind": "warning", "title": "Chú ý", "text": "<p>Cẩn thận</p>"}},
        {"type": "callout", "value": {"kind": "phone", "title": "", "text": "<p>Mở điện thoại</p>"}},
        {"type": "steps", "value": {"title": "Các bước", "steps": [
            {"text": "<p>Bước đầu tiên</p>", "screenshot": image.pk, "screenshot_alt": "Nút cài đặt"},
            {"text": "<p>Bước thứ hai</p>", "screenshot": None, "screenshot_alt": ""},
        ]}},
        {"type": "video", "value": {"title": "Video tải lên", "embed": None, "file": video_file.pk,
                                    "transcript": "<p>Lời thoại video tải lên</p>"}},
        {"type": "video", "value": {"title": "Video nhúng", "embed": EMBED_URL, "file": None,
                                    "transcript": "<p>Lời thoại video nhúng</p>"}},
        {"type": "document", "value": {"document": document.pk, "title": ""}},
        {"type": "quote", "value": {"text": "Học suốt đời", "attribution": "Bác Hồ"}},
    ]


def tree_build() -> dict:
    """Home with one page of every type under it."""
    home = home_build()
    standard = page_publish(parent=home, page=StandardPage(title="Giới thiệu", slug="gioi-thieu",
                                                           body=every_block_body()))
    news = page_publish(parent=home, page=NewsIndexPage(title="Tin tức", slug="tin-tuc"))
    article = page_publish(parent=news, page=NewsArticlePage(
        title="Tin Đà Nẵng", slug="tin-da-nang", date=datetime.date(2025, 9, 1),
        intro="Tóm tắt", body=[paragraph("Người dân Đà Nẵng học kỹ năng số.")],
    ))
    help_index = page_publish(parent=home, page=HelpIndexPage(title="Trợ giúp", slug="tro-giup"))
    help_page = page_publish(parent=help_index, page=HelpPage(
        title="Cài VNeID", slug="cai-vneid", topic=HelpPage.Topic.PUBLIC_SERVICES,
        body=[paragraph("Tải VNeID từ CH Play.")],
    ))
    return {"home": home, "standard": standard, "news": news, "article": article,
            "help_index": help_index, "help_page": help_page}
