"""The API's answer when the database is unreachable: 503, Retry-After, a clear message in
the caller's language, no internals (the real outage is in test_database_restart.py)."""

import json

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from django.utils import translation

from lms.api import api


@pytest.mark.parametrize(
    "exc",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
        OperationalError("deadlock detected"),
    ],
)
def test_a_database_outage_is_a_503_to_retry_later(exc):
    request = RequestFactory().post("/api/v1/visits/sync")
    response = api.on_exception(request, exc)
    body = json.loads(response.content)
    assert (response.status_code, response["Retry-After"], body["code"]) == (503, "30", "unavailable")
    assert body["detail"] == "Máy chủ tạm thời không kết nối được cơ sở dữ liệu. Hãy thử lại sau ít phút."
    assert str(exc) not in body["detail"]
    with translation.override("en"):
        english = json.loads(api.on_exception(request, exc).content)["detail"]
    assert english.startswith("The server cannot reach its database for the moment.")
