"""Every failure inside the API is answered in JSON, including our own bugs."""

import json
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.test import RequestFactory
from ninja.errors import AuthorizationError, HttpError

from lms.api import api


def _answer(exc: Exception) -> tuple[int, dict]:
    request = RequestFactory().get("/api/v1/anything")
    response = api.on_exception(request, exc)
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, json.loads(response.content)


def test_an_unhandled_exception_is_a_logged_json_500(caplog):
    with caplog.at_level(logging.ERROR, logger="lms.api"):
        status, body = _answer(RuntimeError("lỗi lập trình"))
    assert status == 500 and body["code"] == "server_error"
    assert "lỗi lập trình" not in body["detail"]  # no internals leak to the caller
    assert any(r.exc_info and "lỗi lập trình" in str(r.exc_info[1]) for r in caplog.records)


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (PermissionDenied(), 403, "permission_denied"),
        (AuthorizationError(), 403, "permission_denied"),
        (Http404(), 404, "not_found"),
        (HttpError(409, "Xung đột."), 409, "error"),
        (DjangoValidationError({"name": ["Sai tên."]}), 400, "invalid"),
    ],
)
def test_known_errors_keep_their_status(exc, status, code):
    got_status, body = _answer(exc)
    assert (got_status, body["code"]) == (status, code)
    assert body["detail"]


def test_a_bare_django_validation_error_is_400_json():
    assert _answer(DjangoValidationError("Sai rồi.")) == (
        400,
        {"detail": "Sai rồi.", "code": "invalid", "errors": [{"loc": [], "msg": "Sai rồi."}]},
    )
