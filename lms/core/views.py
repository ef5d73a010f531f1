"""Health endpoints for load balancers and orchestrators.

/healthz  liveness: the process answers. Never touches a dependency, so an outage of
          the database does not make the orchestrator restart every web process.
/readyz   readiness: database, cache and broker each checked and reported. 503 only
          when this instance cannot serve (the database is down), so the load balancer
          stops sending it traffic; a cache or broker outage answers 200 with status
          "degraded" (pages render and jobs wait in the outbox without Redis: taking
          every instance out, as they share one Redis, would turn a degraded site into a
          dead one). ?strict=1 answers 503 on any failed check, for monitoring.
          Cheap enough to probe every few seconds: one SELECT 1, two cache round trips,
          one broker connection; bounded by DB_CONNECT_TIMEOUT (5 s), the cache's 1 s
          and the broker's 2 s.
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
# Without these the instance cannot answer a request: 503 even in the lenient mode.
REQUIRED = frozenset({"database"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """{"status": "ok" | "degraded" | "error", "strict": bool, "checks": {name: {"status":
    "ok" | "skipped" | "error", "required": bool, "ms": float, "error": class name}}}."""
    strict = request.GET.get("strict", "") not in ("", "0", "false")
    checks: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            result = {"status": check()}
        except Exception as exc:  # reported, not raised: that is the point of the probe
            result = {"status": "error", "error": type(exc).__name__}
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        result["required"] = name in REQUIRED
        checks[name] = result
    failed = {name for name, c in checks.items() if c["status"] not in ("ok", "skipped")}
    if failed & REQUIRED:
        status = "error"
    elif failed:
        status = "degraded"
    else:
        status = "ok"
    serving = status == "ok" or (status == "degraded" and not strict)
    body = {"status": status, "strict": strict, "checks": checks}
    return JsonResponse(body, status=200 if serving else 503)
