"""Rate limits for our own endpoints (allauth counts its own: ACCOUNT_RATE_LIMITS).

settings.LMS_RATE_LIMITS maps an action to rates in allauth's form,
"amount/period/per" separated by commas ("3/15m/key,30/h/ip"), per being `ip` (the
client address, as allauth sees it behind the proxy), `user` (the logged-in person) or
`key` (what the action is about: a phone number, an account). Counting is a fixed
window in the cache: one atomic increment per rate. If the cache is down the request is
let through (and logged): a Redis outage must not lock everyone out of the site.
"""

import functools
import hashlib
import logging
import time

from allauth.core.internal.ratelimit import parse_rates
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

TOO_MANY_MESSAGE = _("Bạn gửi yêu cầu quá nhanh. Hãy chờ một lát rồi thử lại.")


def client_ip(request: HttpRequest) -> str:
    from allauth.core.internal.ratelimit import get_ip

    try:
        return get_ip(request) or ""
    except Exception:  # a malformed X-Forwarded-For
        return request.META.get("REMOTE_ADDR", "")


def _source(request: HttpRequest, per: str, key: str | None, user) -> str | None:
    if per == "ip":
        return "ip:" + client_ip(request)
    if per == "user":
        user = user or getattr(request, "user", None)
        return f"user:{user.pk}" if getattr(user, "is_authenticated", False) else None
    if per == "key":
        return None if key is None else "key:" + hashlib.sha256(str(key).encode()).hexdigest()
    raise ValueError(per)


def consume(request: HttpRequest, *, action: str, key: str | None = None, user=None) -> bool:
    """Count one hit of `action`; False when any of its rates is exhausted."""
    rates = parse_rates(settings.LMS_RATE_LIMITS.get(action))
    now = time.time()
    allowed = True
    for rate in rates:
        source = _source(request, rate.per, key, user)
        if source is None:
            continue
        window = int(now // rate.duration)
        cache_key = f"lms-rl:{action}:{rate.amount}/{int(rate.duration)}:{source}:{window}"
        try:
            cache.add(cache_key, 0, timeout=int(rate.duration) + 1)
            count = cache.incr(cache_key)
        except Exception:  # cache unreachable (or the key vanished): let it through
            logger.warning("rate limit %s not counted: cache unavailable", action)
            continue
        if count is None:
            continue
        if count > rate.amount:
            allowed = False
    return allowed


def exhausted(request: HttpRequest, *, action: str, key: str | None = None, user=None) -> bool:
    """Is any rate of `action` used up already? (Counts nothing.)"""
    now = time.time()
    for rate in parse_rates(settings.LMS_RATE_LIMITS.get(action)):
        source = _source(request, rate.per, key, user)
        if source is None:
            continue
        cache_key = f"lms-rl:{action}:{rate.amount}/{int(rate.duration)}:{source}:{int(now // rate.duration)}"
        try:
            if (cache.get(cache_key) or 0) >= rate.amount:
                return True
        except Exception:
            continue
    return False


def too_many(request: HttpRequest) -> HttpResponse:
    """The 429 answer: the site's page, or JSON for the API."""
    if request.path.startswith("/api/"):
        from lms.api import api
        from lms.core.errors import json_error

        return json_error(api, request, 429, str(TOO_MANY_MESSAGE), "rate_limited")
    return render(request, "429.html", status=429)


def limit(action: str, *, key=None):
    """View decorator: answer 429 once `action` is exhausted. `key`, when given, is a
    callable (request, **view_kwargs) -> str or None. GET requests are not counted."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "GET":
                k = key(request, **kwargs) if key else None
                if not consume(request, action=action, key=k):
                    return too_many(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
