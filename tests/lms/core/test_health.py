import json
from unittest import mock

import pytest

from lms.celery_app import app as celery_app
from lms.core import views
from tests.services import require_redis

pytestmark = pytest.mark.django_db


def _get(client, path):
    response = client.get(path)
    return response.status_code, json.loads(response.content)


def test_healthz_is_liveness_only(client):
    assert _get(client, "/healthz") == (200, {"status": "ok"})


def test_readyz_reports_each_check(client):
    status, body = _get(client, "/readyz")
    assert status == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "ok"


def _down():
    raise ConnectionError("down")


def test_readyz_is_503_when_the_database_is_down(client):
    """Without the database this instance cannot serve: the balancer must take it out."""
    with mock.patch.dict(views.CHECKS, {"database": _down}):
        status, body = _get(client, "/readyz")
    assert status == 503 and body["status"] == "error"
    assert body["checks"]["database"] == {
        "status": "error", "error": "ConnectionError", "ms": mock.ANY, "required": True,
    }
    assert body["checks"]["cache"]["status"] == "ok" and body["checks"]["cache"]["required"] is False


@pytest.mark.parametrize("failing", ["cache", "broker"])
def test_readyz_is_200_degraded_when_redis_is_down(client, failing):
    """Pages render and jobs wait in the outbox without Redis (tests/faults): every
    instance shares one Redis, so a 503 here would take the whole site out."""
    with mock.patch.dict(views.CHECKS, {failing: _down}):
        status, body = _get(client, "/readyz")
    assert status == 200 and body["status"] == "degraded" and body["strict"] is False
    assert body["checks"][failing] == {
        "status": "error", "error": "ConnectionError", "ms": mock.ANY, "required": False,
    }
    others = {name for name in body["checks"] if name != failing}
    assert all(body["checks"][n]["status"] in ("ok", "skipped") for n in others)


@pytest.mark.parametrize("failing", ["database", "cache", "broker"])
def test_readyz_strict_is_503_when_any_check_fails(client, failing):
    """?strict=1, for monitoring and alerts: any failed check is a 503."""
    with mock.patch.dict(views.CHECKS, {failing: _down}):
        status, body = _get(client, "/readyz?strict=1")
    assert status == 503 and body["strict"] is True
    assert body["status"] == ("error" if failing == "database" else "degraded")
    status, body = _get(client, "/readyz?strict=1")
    assert status == 200 and body == {"status": "ok", "strict": True, "checks": mock.ANY}


def test_readyz_reaches_the_real_broker_and_notices_when_it_is_gone(client):
    require_redis()
    before = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    try:
        celery_app.conf.task_always_eager = False
        status, body = _get(client, "/readyz")
        assert status == 200 and body["checks"]["broker"]["status"] == "ok"
        celery_app.conf.broker_url = "redis://127.0.0.1:6390/0"  # nothing listens there
        status, body = _get(client, "/readyz")
        assert status == 200 and body["status"] == "degraded"
        assert body["checks"]["broker"]["status"] == "error"
        assert body["checks"]["broker"]["ms"] < 3000
        assert _get(client, "/readyz?strict=1")[0] == 503
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = before


def test_readyz_is_cheap_and_leaves_nothing_behind(client, django_assert_num_queries):
    """Probed every few seconds by every load balancer: one database query, and the cache
    check overwrites one key per process instead of leaving a key per probe."""
    from django.core.cache import cache

    with django_assert_num_queries(1):
        status, body = _get(client, "/readyz")
    assert status == 200
    assert cache.get(views._CACHE_KEY) is not None
    first = cache.get(views._CACHE_KEY)
    _get(client, "/readyz")
    assert cache.get(views._CACHE_KEY) not in (None, first)  # the same key, a new value
