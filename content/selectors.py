"""Reads for the editorial pages: site search, header menu and footer."""

import time
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from wagtail.models import Page, Site

from content.search import snippet_around
from lms.core.text import fold

SEARCH_PER_PAGE = 10
SEARCH_QUERY_MAX_LENGTH = 200


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    snippet: str
    type_label: str


def help_index_url(*, site: Site | None) -> str:
    """The address of the site's help centre, or "" when it has none."""
    from content.models import HelpIndexPage

    pages = HelpIndexPage.objects.live().public()
    if site is not None:
        pages = pages.descendant_of(site.root_page, inclusive=True)
    help_index = pages.first()
    return help_index.get_url() if help_index else ""


def search_query_fold(*, query: str) -> str:
    """The query as the index holds text: folded, letters, digits and spaces only.

    Punctuation is dropped so that nothing a person types can be read as search syntax.
    """
    folded = fold(query)
    cleaned = "".join(ch if ch.isalnum() else " " for ch in folded)
    return " ".join(cleaned.split())


def pages_search(
    *,
    query: str,
    site: Site | None = None,
    page_number: str | int | None = 1,
    per_page: int = SEARCH_PER_PAGE,
) -> tuple[PaginatorPage, list[SearchHit]]:
    """Live, public pages (of `site` when given) matching every word of the folded query.

    Returns the paginator page (for links) and one hit per result on that page, with the
    page's title, its type and an excerpt around the match.
    """
    folded = search_query_fold(query=query)
    pages = Page.objects.live().public().filter(depth__gt=1)
    if site is not None:
        pages = pages.descendant_of(site.root_page, inclusive=True)
    results = pages.search(folded, operator="and") if folded else Page.objects.none()
    paginator_page = Paginator(results, per_page).get_page(page_number)
    ids = [p.pk for p in paginator_page.object_list]
    specific = Page.objects.filter(pk__in=ids).specific().in_bulk()
    hits = []
    for pk in ids:
        page = specific.get(pk)
        if page is None:
            continue
        source = page.search_snippet_source() if hasattr(page, "search_snippet_source") else ""
        hits.append(
            SearchHit(
                title=page.title,
                url=page.get_url(),
                snippet=snippet_around(source, folded),
                type_label=str(page._meta.verbose_name).capitalize(),
            )
        )
    return paginator_page, hits


CHROME_CACHE_SECONDS = 15 * 60
_CHROME_VERSION_KEY = "content:chrome:version"


def _chrome_version() -> int:
    version = cache.get(_CHROME_VERSION_KEY)
    if version is None:
        version = int(time.time() * 1000)
        cache.set(_CHROME_VERSION_KEY, version, None)
    return version


def site_chrome_invalidate() -> None:
    """Forget every cached header menu and footer (a page or the settings changed)."""
    cache.set(_CHROME_VERSION_KEY, int(time.time() * 1000), None)


def site_chrome_for(*, site: Site | None) -> dict:
    """What the header and footer of every page show, cached so they cost no query.

    Menu: live, public children of the site's home page marked "show in menus".
    Footer: live, public standard pages directly under the home page, and the site
    settings' contact details. Invalidated when a page is published, unpublished,
    moved or deleted, or the settings are saved (content.signals).
    """
    if site is None:
        return {"menu": [], "footer_links": [], "settings": {}}
    key = f"content:chrome:{site.pk}:{_chrome_version()}"
    chrome = cache.get(key)
    if chrome is not None:
        return chrome
    from content.models import SiteSettings, StandardPage

    standard_type = ContentType.objects.get_for_model(StandardPage)
    children = site.root_page.get_children().live().public()
    menu, footer_links = [], []
    for child in children:
        item = {"title": child.title, "url": child.get_url(), "path": child.path}
        if child.show_in_menus:
            menu.append(item)
        if child.content_type_id == standard_type.pk:
            footer_links.append(item)
    # Read without creating: for_site() would insert a row, whose save invalidates this cache.
    site_settings = SiteSettings.objects.filter(site=site).first() or SiteSettings(site=site)
    chrome = {
        "menu": menu,
        "footer_links": footer_links,
        "settings": {
            name: getattr(site_settings, name)
            for name in ("contact_email", "contact_phone", "support_hours", "address", "footer_text")
        },
    }
    cache.set(key, chrome, CHROME_CACHE_SECONDS)
    return chrome
