"""Health endpoints for load balancers and orchestrators.

/healthz  liveness: the process answers. Never touches a dependency, so an outage of
          the database does not make the orchestrator restart every web process.
/readyz   readiness: database, cache and broker each checked; 503 if one is down, so
          the load balancer stops sending traffic to this instance. Cheap enough to probe
          every few seconds: one SELECT 1, two cache round trips, one broker connection;
          bounded by DB_CONNECT_TIMEOUT (5 s), the cache's 1 s and the broker's 2 s.
"""

import os
import socket
import time
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


# One key per process, overwritten by each probe: two round trips, nothing left behind.
_CACHE_KEY = f"readyz:{socket.gethostname()}:{os.getpid()}"


def _check_cache() -> str:
    # The Redis cache ignores its own errors (a Redis outage must not break pages), so
    # an outage shows only as a value that does not come back.
    value = uuid.uuid4().hex
    cache.set(_CACHE_KEY, value, timeout=60)
    if cache.get(_CACHE_KEY) != value:
        raise ConnectionError("cache did not return the value just written")
    return "ok"


def _check_broker() -> str:
    from lms.celery_app import app

    if app.conf.task_always_eager:
        return "skipped"  # embedded default: jobs run inline, there is no broker
    # A new connection, not one from the pool: a pooled connection that is already open
    # would report "ok" without talking to the broker.
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": _check_database,
    "cache": _check_cache,
    "broker": _check_broker,
}


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            result = {"status": check()}
        except Exception as exc:  # reported, not raised: that is the point of the probe
            result = {"status": "error", "error": type(exc).__name__}
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        checks[name] = result
    ready = all(c["status"] in ("ok", "skipped") for c in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "error", "checks": checks}, status=200 if ready else 503
    )
