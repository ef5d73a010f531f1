"""Route catalogue, course, module and lesson pages from the cache.

Wagtail routes every request with five queries before a page is served: the site for
the host, the site's root page (generic, then specific), and one or two per level of
the tree (CourseIndexPage.route finds a course, module or lesson in one). Course and
lesson pages are the pages learners load all day, so their route is cached: the key
holds the page-cache generation (courses.cache: replaced on publish, unpublish, move,
slug change, delete, view-restriction and site changes), the host and port Wagtail
resolves the site from, and the path; the value is the site and the live page Wagtail
found, both as they were when routed. A hit skips the five queries; a miss routes as
usual and the page's `serve` stores the result (`route_remember`).

Only paths under a catalogue are looked up: each process learns the catalogues' URL
prefixes from the pages it serves, so other pages (the editorial ones) never pay for
a cache read. A prefix that no longer leads to a catalogue only costs a cache miss.
Permissions are not cached: Wagtail's view-restriction check and the page's own
`serve` run on every request, and nothing about the visitor is part of the value.
`settings.COURSES_ROUTE_CACHE = False` turns the cache off.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from wagtail import views as wagtail_views
from wagtail.url_routing import RouteResult

from courses.cache import PAGE_CACHE_SECONDS, page_cache_generation

logger = logging.getLogger(__name__)

_PREFIXES: set[str] = set()  # per process: "khoa-hoc/" for the catalogue at /khoa-hoc/
_KEY_ATTR = "_courses_route_key"


def _enabled() -> bool:
    return getattr(settings, "COURSES_ROUTE_CACHE", True)


def _key(request: HttpRequest, path: str) -> str | None:
    generation = page_cache_generation(request)
    if generation is None:
        return None
    # What Wagtail resolves the site from (Site.find_for_request), then the path.
    hostname = split_domain_port(request._get_raw_host())[0]
    return f"courses:route:{generation}:{hostname}:{request.get_port()}:{path}"


def page_serve(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's `serve` view, with the route of catalogue pages read from the cache."""
    if _enabled() and any(path.startswith(prefix) for prefix in _PREFIXES):
        key = _key(request, path)
        if key is not None:
            try:
                found = cache.get(key)
            except Exception:  # noqa: BLE001 - a cache outage must not break the page
                found = None
            if found is not None:
                site, page = found
                request._wagtail_site = site
                request._wagtail_route_for_request = RouteResult(page)
            else:
                setattr(request, _KEY_ATTR, key)
    return wagtail_views.serve(request, path)


def route_remember(*, request: HttpRequest, page, levels_below_catalogue: int) -> None:
    """Called by the catalogue's pages when served: remember the catalogue's prefix in
    this process and, when the page was routed by Wagtail for this path, store the route."""
    if not _enabled() or getattr(request, "is_preview", False):
        return
    route = getattr(request, "_wagtail_route_for_request", None)
    match = getattr(request, "resolver_match", None)
    if route is None or route[0] is not page or route[1] or route[2] or match is None:
        return  # served another way (a preview, a routable sub-path, a test calling serve)
    path = match.kwargs.get("path", match.args[0] if match.args else None)
    if path is None:
        return
    components = [c for c in path.split("/") if c]
    if len(components) <= levels_below_catalogue:
        return
    _PREFIXES.add("/".join(components[: len(components) - levels_below_catalogue]) + "/")
    key = getattr(request, _KEY_ATTR, None) or _key(request, path)
    site = getattr(request, "_wagtail_site", None)
    if key is None or site is None:
        return
    try:
        cache.set(key, (site, page), PAGE_CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("route cache unavailable", exc_info=True)
