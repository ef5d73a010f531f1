"""The JSON API: /api/v1/…, OpenAPI at /api/openapi.json, interactive docs at /api/docs.

Authentication (lms.core.auth): ``Authorization: Bearer <token>`` or the site session
(with CSRF for unsafe methods). Every operation requires one of them unless it says
``auth=None``.

Errors are always JSON ``{"detail": "<message>", "code": "<code>", "errors": [...]}``
with a 4xx status for bad input and a logged 500 for our own bugs, never an HTML page.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from lms.core.api import router as core_router
from lms.core.auth import default_auth

logger = logging.getLogger("lms.api")


class Utf8JSONRenderer(JSONRenderer):
    # Vietnamese stays readable (and a third shorter) on the wire: no \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


class LmsNinjaAPI(NinjaAPI):
    def _get_urls(self):
        # Unknown paths under /api/ answer with a JSON 404 instead of falling through
        # to Wagtail's HTML page serving.
        return [*super()._get_urls(), re_path(r"^.*$", self._not_found_view)]

    def _not_found_view(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return _error(request, 404, _("Không có địa chỉ API này."), "not_found")


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


def _error(
    request: HttpRequest, status: int, detail: str, code: str, errors: list | None = None
) -> HttpResponse:
    body: dict = {"detail": str(detail), "code": code}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return _error(request, 422, _("Dữ liệu gửi lên không hợp lệ."), "invalid", errors=exc.errors)


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [{"loc": [field], "msg": msg} for field, msgs in exc.message_dict.items() for msg in msgs]
    else:
        errors = [{"loc": [], "msg": msg} for msg in exc.messages]
    return _error(request, 400, " ".join(e["msg"] for e in errors), "invalid", errors=errors)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, _("Không tìm thấy."), "not_found")


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or _("Bạn không có quyền làm việc này."), "permission_denied")


@api.exception_handler(AuthenticationError)
def _not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, _("Cần đăng nhập hoặc một mã truy cập API hợp lệ."), "not_authenticated")
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja raises some of these itself, in English: give them our words and codes.
    if isinstance(exc, AuthorizationError):
        return _error(request, 403, _("Bạn không có quyền làm việc này."), "permission_denied")
    if isinstance(exc, Throttled):
        return _error(request, 429, _("Quá nhiều yêu cầu, hãy thử lại sau."), "throttled")
    if exc.message.startswith("Cannot parse request body"):
        return _error(request, 400, _("Không đọc được nội dung gửi lên (JSON không hợp lệ)."), "parse_error")
    codes = {400: "bad_request", 401: "not_authenticated", 403: "permission_denied", 404: "not_found"}
    return _error(request, exc.status_code, exc.message, codes.get(exc.status_code, "error"))


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled error in API %s %s", request.method, request.path)
    return _error(request, 500, _("Lỗi máy chủ; chúng tôi đã ghi nhận và sẽ khắc phục."), "server_error")


# --- Routers ---------------------------------------------------------------------------
# Every app mounts its router here, under /v1/<app>. Keep the list sorted by path.
# A breaking change gets a new /v2/ router next to the old one, never an edit in place.
api.add_router("/v1/", core_router)  # /v1/me, /v1/csrf, /v1/tokens
# api.add_router("/v1/places", "lms.places.api.router")
# >>> app routers (add yours below this line) ----------------------------------------
# <<< app routers ------------------------------------------------------------------------
