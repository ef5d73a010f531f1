"""The JSON API: /api/v1/…, OpenAPI at /api/openapi.json, interactive docs at /api/docs.

Authentication (lms.core.auth): ``Authorization: Bearer <token>`` or the site session
(with CSRF for unsafe methods). Every operation requires one of them unless it says
``auth=None``.

Errors (lms.core.errors) are always JSON ``{"detail": "<message>", "code": "<code>",
"errors": [...]}``: a 4xx for bad input, a logged 500 for our own bugs, never HTML.

Conditional reads (`conditional_get`, applied to every operation): a successful GET
carries an ``ETag``; a GET with a matching ``If-None-Match`` answers 304 with no body.
The tag is a digest of the body and of who asked, so a per-user answer never
revalidates for someone else; such answers are also marked ``Cache-Control: private``
and every answer ``Vary: Cookie, Authorization``.
"""

import functools
import hashlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.functional import empty
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from lms.core.api import router as core_router
from lms.core.auth import default_auth
from lms.core.errors import install_error_handlers, not_found


class Utf8JSONRenderer(JSONRenderer):
    # Vietnamese stays readable (and a third shorter) on the wire: no \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


def _viewer(request: HttpRequest) -> str:
    """Who the answer may depend on, without a query: the identity the operation's
    authentication found, else the session user if the view looked at it; a request
    whose view never read the user but carries credentials is told apart by them."""
    auth = getattr(request, "auth", None)
    if getattr(auth, "pk", None) is not None:
        return f"{type(auth).__name__}:{auth.pk}"
    lazy = request.__dict__.get("user")
    wrapped = getattr(lazy, "_wrapped", lazy)
    if lazy is not None and wrapped is not empty:
        return f"user:{wrapped.pk}" if wrapped.is_authenticated else ""
    credentials = request.headers.get("Authorization", "") + request.COOKIES.get(
        settings.SESSION_COOKIE_NAME, "")
    return "credentials:" + hashlib.sha256(credentials.encode()).hexdigest() if credentials else ""


def conditional_get(view):
    """ETag and If-None-Match for a GET (or HEAD) answered 200; other requests pass."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return response
        patch_vary_headers(response, ("Cookie", "Authorization"))
        if response.status_code != 200 or response.streaming or response.has_header("ETag"):
            return response
        viewer = _viewer(request)
        digest = hashlib.sha256(viewer.encode() + b"\0" + response.content).hexdigest()[:32]
        response["ETag"] = f'"{digest}"'
        if viewer:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, no_cache=True)
        return get_conditional_response(request, etag=response["ETag"], response=response)

    return wrapper


class LmsNinjaAPI(NinjaAPI):
    def _get_urls(self):
        # Unknown paths under /api/ answer with a JSON 404 instead of falling through
        # to Wagtail's HTML page serving.
        urls = [*super()._get_urls(), re_path(r"^.*$", self._not_found_view)]
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = conditional_get(pattern.callback)
        return urls

    def _not_found_view(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return not_found(self, request)


api = LmsNinjaAPI(
    title="Kỹ năng số API",
    version="1",
    description="API của nền tảng Kỹ năng số. Lỗi luôn là JSON {detail, code, errors}.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=default_auth,
    renderer=Utf8JSONRenderer(),
)
install_error_handlers(api)

# --- Routers ---------------------------------------------------------------------------
# Every app mounts its router here, under /v1/<app>; the router's operations inherit the
# default authentication (token or session) unless they say otherwise.
# A breaking change gets a new /v2/ router next to the old one, never an edit in place.
api.add_router("/v1/", core_router)  # /v1/me, /v1/csrf, /v1/tokens
# >>> app routers: add yours below, one line each -----------------------------------------
# Reference data (units, successions) is public, like the lookup page.
api.add_router("/v1/places", "lms.places.api.router", auth=None)
api.add_router("/v1/", "assessments.api.router")  # /v1/frameworks…
api.add_router("/v1/courses", "courses.api.router")
api.add_router("/v1/quizzes", "assessments.quizzes.api.router")
api.add_router("/v1/certificates", "courses.certificates.api.router")
api.add_router("/v1/training", "courses.training.api.router")
api.add_router("/v1/compliance", "courses.compliance.api.router")
api.add_router("/v1/", "community_teams.api.router")  # /v1/visits/sync, /v1/teams/…
api.add_router("/v1/indicators", "community_teams.indicators.api.router")
# <<< app routers --------------------------------------------------------------------------
