"""Reads for the editorial pages: site search."""

from dataclasses import dataclass

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
