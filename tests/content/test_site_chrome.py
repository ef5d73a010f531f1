"""The header menu, the footer and the 404 page, as every visitor sees them."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from content.models import HelpIndexPage, NewsIndexPage, SiteSettings, StandardPage
from tests.content.builders import home_build, page_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    home = home_build()
    page_publish(parent=home, page=NewsIndexPage(title="Tin tức", slug="tin-tuc", show_in_menus=True))
    page_publish(parent=home, page=HelpIndexPage(title="Trợ giúp", slug="tro-giup", show_in_menus=False))
    page_publish(parent=home, page=StandardPage(title="Điều khoản sử dụng", slug="dieu-khoan"))
    return home


def _header(html: str) -> str:
    return html.split("<header", 1)[1].split("</header>", 1)[0]


def _footer(html: str) -> str:
    return html.split("<footer", 1)[1].split("</footer>", 1)[0]


def test_header_menu_lists_pages_shown_in_menus(client, home):
    header = _header(client.get("/").content.decode())
    assert 'href="/tin-tuc/"' in header
    assert "/tro-giup/" not in header
    assert 'href="/tim-kiem/"' in header


def test_current_section_is_marked(client, home):
    header = _header(client.get("/tin-tuc/").content.decode())
    assert 'href="/tin-tuc/" aria-current="page"' in header


def test_footer_shows_site_settings_and_standard_pages(client, home):
    SiteSettings.objects.create(
        site=Site.objects.get(is_default_site=True), contact_phone="1900 1234",
        contact_email="hotro@example.vn", footer_text="Lời chân trang riêng.",
    )
    footer = _footer(client.get("/").content.decode())
    assert "Lời chân trang riêng." in footer
    assert 'href="tel:19001234"' in footer
    assert "mailto:hotro@example.vn" in footer
    assert 'href="/dieu-khoan/"' in footer


def test_footer_without_settings_still_renders(client, home):
    footer = _footer(client.get("/").content.decode())
    assert "Nền tảng học kỹ năng số miễn phí" in footer
    assert "tel:" not in footer


def test_not_found_page_offers_search(client, home):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html
    assert 'action="/tim-kiem/"' in html


def test_search_page_in_english(client, home):
    client.cookies["django_language"] = "en"
    html = client.get("/tim-kiem/", {"q": "xyz"}).content.decode()
    assert "What are you looking for?" in html
    assert "No results for “xyz”." in html


def test_header_follows_publishing(client, home):
    page = page_publish(parent=home, page=StandardPage(title="Khoá học", slug="khoa-hoc", show_in_menus=True))
    assert 'href="/khoa-hoc/"' in _header(client.get("/").content.decode())
    page.unpublish()
    assert 'href="/khoa-hoc/"' not in _header(client.get("/").content.decode())


def test_footer_follows_settings_changes(client, home):
    client.get("/")  # warm the cache
    site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.contact_phone = "1900 5555"
    site_settings.save()
    assert "1900 5555" in _footer(client.get("/").content.decode())


def test_header_and_footer_cost_no_query_once_cached(client, home):
    client.get("/tim-kiem/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/tim-kiem/")
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "content_sitesettings" not in tables
    assert len(queries.captured_queries) <= 1  # the site lookup


def test_content_pages_stay_small(client, home):
    """Under 200 KB before images: the HTML plus the one stylesheet."""
    css = Path(settings.BASE_DIR, "lms/static/css/site.css").stat().st_size
    for url in ("/", "/tin-tuc/", "/tim-kiem/?q=da+nang"):
        html = len(client.get(url).content)
        assert html + css < 200 * 1024
        assert css < 30 * 1024
