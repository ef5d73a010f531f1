"""Whole-response cache of the catalogue and course pages for anonymous visitors.

Rules: only anonymous GET requests for pages without a view restriction, with no
pending messages; only 200 responses that set no cookie. The key holds the page id,
the language, the low-data cookie and the full query string, plus a generation
that `page_cache_invalidate` (called on publish, unpublish, move, slug change and
delete) replaces, so every cached page is forgotten at once. CSRF tokens are
stored as a placeholder and replaced by the visitor's own token when served. Cache
errors are tolerated: the page is then rendered as usual.
"""

import hashlib
import logging
import re
import time

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

PAGE_CACHE_SECONDS = 10 * 60
_GENERATION_KEY = "courses:page-cache:generation"
_CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_PLACEHOLDER = b"__CSRF_TOKEN__"


def _has_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    return bool(getattr(storage, "_queued_messages", None) or storage._loaded_messages)


def _cacheable_request(request: HttpRequest, page) -> bool:
    user = getattr(request, "user", None)
    if request.method != "GET" or (user is not None and user.is_authenticated):
        return False
    if getattr(request, "is_preview", False) or _has_messages(request):
        return False
    return not page.get_view_restrictions().exists()


def page_cache_generation(request: HttpRequest | None = None) -> int | None:
    """The current generation of cached pages and fragments (None when the cache is
    down); read once per request."""
    memo = getattr(request, "_courses_cache_generation", None)
    if memo is not None:
        return memo
    try:
        generation = cache.get(_GENERATION_KEY)
        if generation is None:
            generation = time.time_ns()
            cache.add(_GENERATION_KEY, generation, None)
            generation = cache.get(_GENERATION_KEY, generation)
    except Exception:  # noqa: BLE001 - a cache outage must not break the page
        logger.warning("page cache unavailable", exc_info=True)
        return None
    if request is not None:
        request._courses_cache_generation = generation
    return generation


def _key(request: HttpRequest, page) -> str | None:
    from courses.views import is_low_data

    generation = page_cache_generation(request)
    if generation is None:
        return None
    query = hashlib.sha256(request.META.get("QUERY_STRING", "").encode()).hexdigest()[:32]
    return f"courses:page:{generation}:{page.pk}:{get_language()}:{int(is_low_data(request))}:{query}"


def page_cache_serve(*, page, request: HttpRequest, render) -> HttpResponse:
    """The cached response for an anonymous visitor, else `render()` (stored when it may be)."""
    if not _cacheable_request(request, page):
        return render()
    key = _key(request, page)
    if key is None:
        return render()
    try:
        stored = cache.get(key)
    except Exception:  # noqa: BLE001
        stored = None
    if stored is not None:
        content, content_type = stored
        if _CSRF_PLACEHOLDER in content:
            content = content.replace(_CSRF_PLACEHOLDER, get_token(request).encode())
        return HttpResponse(content, content_type=content_type)
    response = render()
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    if (response.status_code != 200 or response.cookies or response.has_header("Set-Cookie")
            or _has_messages(request)):
        return response
    content = _CSRF_FIELD.sub(rb"\1" + _CSRF_PLACEHOLDER + rb"\2", response.content)
    try:
        content_type = response.get("Content-Type", "text/html; charset=utf-8")
        cache.set(key, (content, content_type), PAGE_CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("page cache unavailable", exc_info=True)
    return response


def page_cache_invalidate() -> None:
    """Forget every cached anonymous page (a page was published, moved, deleted…)."""
    try:
        cache.set(_GENERATION_KEY, time.time_ns(), None)
    except Exception:  # noqa: BLE001
        logger.warning("page cache unavailable", exc_info=True)
