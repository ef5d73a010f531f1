"""lms.core.cache.RedisCache with nothing listening: the sign-in keys fall back to this
process's memory, every other key keeps django-redis's "errors are misses"."""

import socket
import time

import pytest

from lms.core import cache as lms_cache


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def unreachable():
    lms_cache.local_reset()
    backend = lms_cache.RedisCache(
        f"redis://127.0.0.1:{_closed_port()}/0",
        {"OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}},
    )
    yield backend
    lms_cache.local_reset()


def test_guarded_keys_are_counted_in_memory(unreachable):
    key = "allauth:rl:allauth.account:login_failed:5/900s/key:abc"
    assert unreachable.add(key + ":lock", True, 10) is True  # allauth's lock is taken…
    assert unreachable.add(key + ":lock", True, 10) is False  # …and held
    assert unreachable.delete(key + ":lock") is True
    unreachable.set(key, [1.0, 2.0], 900)
    assert unreachable.get(key, []) == [1.0, 2.0]
    assert unreachable.add("lms-rl:device_pair:10/3600:user:1:1", 0, 10) is True
    assert unreachable.incr("lms-rl:device_pair:10/3600:user:1:1") == 1
    assert unreachable.add("allauth.mfa.totp.used?user=1&code=123456", "y", 30) is True
    assert unreachable.add("allauth.mfa.totp.used?user=1&code=123456", "y", 30) is False  # a replay


def test_other_keys_stay_misses(unreachable):
    """A page fragment kept in one process's memory would go stale after an edit made
    through another process: outside the guarded keys, an outage is only misses."""
    unreachable.set("page:home", "<html>", 60)
    assert unreachable.get("page:home") is None
    assert not unreachable.add("page:other", 1, 60)


def test_redis_is_not_retried_for_a_while(unreachable, monkeypatch):
    """After one failure the guarded keys skip Redis for RETRY_AFTER_SECONDS: a Redis that
    hangs costs one socket timeout per process, not one per operation."""
    calls = []
    real = unreachable.client.add

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(unreachable.client, "add", counting)
    for n in range(5):
        unreachable.add(f"allauth:rl:x:{n}", 1, 10)
    assert len(calls) == 1
    monkeypatch.setattr(lms_cache, "_redis_down_until", time.monotonic() - 1)
    unreachable.add("allauth:rl:x:again", 1, 10)
    assert len(calls) == 2
