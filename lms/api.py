"""The JSON API: /api/v1/…, OpenAPI at /api/openapi.json, interactive docs at /api/docs.

Authentication (lms.core.auth): ``Authorization: Bearer <token>`` or the site session
(with CSRF for unsafe methods). Every operation requires one of them unless it says
``auth=None``.

Errors (lms.core.errors) are always JSON ``{"detail": "<message>", "code": "<code>",
"errors": [...]}``: a 4xx for bad input, a logged 500 for our own bugs, never HTML.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from lms.core.api import router as core_router
from lms.core.auth import default_auth
from lms.core.errors import install_error_handlers, not_found


class Utf8JSONRenderer(JSONRenderer):
    # Vietnamese stays readable (and a third shorter) on the wire: no \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


class LmsNinjaAPI(NinjaAPI):
    def _get_urls(self):
        # Unknown paths under /api/ answer with a JSON 404 instead of falling through
        # to Wagtail's HTML page serving.
        return [*super()._get_urls(), re_path(r"^.*$", self._not_found_view)]

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
