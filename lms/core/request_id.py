"""Every request gets an id: the one the load balancer sent in X-Request-ID (when it is a
plain token), or a new one. It is returned in the response's X-Request-ID, printed in the
access log (lms.core.gunicorn_logging) and in every log line written while the request
runs (lms.core.logs), so one person's report ("the page said error at 10:02") leads to
the lines of that request on whichever machine served it."""

import re
import uuid

from django.http import HttpRequest, HttpResponse

from .logs import log_fields

HEADER = "X-Request-ID"
# What we accept from outside: ids from load balancers and proxies (UUIDs, hex, AWS's
# "Root=1-…"), never anything that could forge a log line or a header.
_ACCEPTED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,127}")


def request_id_for(incoming: str | None) -> str:
    if incoming and _ACCEPTED.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request.headers.get(HEADER))
        request.request_id = request_id
        with log_fields(request_id=request_id):
            response = self.get_response(request)
        response[HEADER] = request_id
        return response
