"""JSON error answers for the API: ``{"detail": "<message>", "code": "<code>", "errors": [...]}``.

Bad input gets a 4xx with a clear (translated) message; our own bugs a logged 500; a
database that is unreachable (restart, failover) a 503 with Retry-After. Never an HTML
page. ``lms.api`` installs these handlers on the NinjaAPI.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger("lms.api")

HTTP_CODES = {400: "bad_request", 401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


def json_error(
    api: NinjaAPI, request: HttpRequest, status: int, detail: str, code: str, errors: list | None = None
) -> HttpResponse:
    body: dict = {"detail": str(detail), "code": code}
    if errors is not None:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def not_found(api: NinjaAPI, request: HttpRequest) -> HttpResponse:
    return json_error(api, request, 404, _("Không có địa chỉ API này."), "not_found")


def install_error_handlers(api: NinjaAPI) -> None:
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return json_error(api, request, 422, _("Dữ liệu gửi lên không hợp lệ."), "invalid", errors=exc.errors)

    def django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = [
                {"loc": [field], "msg": msg} for field, msgs in exc.message_dict.items() for msg in msgs
            ]
        else:
            errors = [{"loc": [], "msg": msg} for msg in exc.messages]
        return json_error(api, request, 400, " ".join(e["msg"] for e in errors), "invalid", errors=errors)

    def http404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return json_error(api, request, 404, _("Không tìm thấy."), "not_found")

    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        detail = str(exc) or _("Bạn không có quyền làm việc này.")
        return json_error(api, request, 403, detail, "permission_denied")

    def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        detail = _("Cần đăng nhập hoặc một mã truy cập API hợp lệ.")
        return json_error(api, request, 401, detail, "not_authenticated")

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja raises some of these itself, in English: give them our words and codes.
        if isinstance(exc, AuthorizationError):
            return json_error(api, request, 403, _("Bạn không có quyền làm việc này."), "permission_denied")
        if isinstance(exc, Throttled):
            return json_error(api, request, 429, _("Quá nhiều yêu cầu, hãy thử lại sau."), "throttled")
        if exc.message.startswith("Cannot parse request body"):
            detail = _("Không đọc được nội dung gửi lên (JSON không hợp lệ).")
            return json_error(api, request, 400, detail, "parse_error")
        code = HTTP_CODES.get(exc.status_code, "error")
        return json_error(api, request, exc.status_code, exc.message, code)

    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("Unhandled error in API %s %s", request.method, request.path, exc_info=exc)
        detail = _("Lỗi máy chủ; chúng tôi đã ghi nhận và sẽ khắc phục.")
        return json_error(api, request, 500, detail, "server_error")

    def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
        # The database went away (restart, failover, network) or refused the transaction
        # (deadlock, serialization): the transaction was rolled back, a retry is the answer.
        logger.warning("Database unavailable in API %s %s: %s", request.method, request.path, exc)
        detail = _("Máy chủ tạm thời không kết nối được cơ sở dữ liệu. Hãy thử lại sau ít phút.")
        response = json_error(api, request, 503, detail, "unavailable")
        response["Retry-After"] = "30"
        return response

    def out_of_range(request: HttpRequest, exc: DataError) -> HttpResponse:
        # A value the database cannot hold (an id or page number past bigint, …): bad
        # input that got through the schema, not our bug.
        logger.info("Out-of-range value in API %s %s: %s", request.method, request.path, exc)
        detail = _("Một giá trị gửi lên nằm ngoài phạm vi cho phép (số quá lớn hoặc chữ quá dài).")
        return json_error(api, request, 422, detail, "invalid", errors=[])

    api.add_exception_handler(NinjaValidationError, validation_error)
    api.add_exception_handler(DataError, out_of_range)
    api.add_exception_handler(DjangoValidationError, django_validation_error)
    api.add_exception_handler(Http404, http404)
    api.add_exception_handler(PermissionDenied, permission_denied)
    api.add_exception_handler(AuthenticationError, not_authenticated)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(OperationalError, database_unavailable)
    api.add_exception_handler(InterfaceError, database_unavailable)
    api.add_exception_handler(Exception, server_error)
