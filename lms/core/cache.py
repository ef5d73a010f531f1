"""The Redis cache, with a fallback in this process's memory for the keys security
counts on.

django-redis with IGNORE_EXCEPTIONS turns a Redis outage into cache misses: right for
pages (every read falls through to the database), wrong for the few keys that guard
sign-in. allauth's rate limits take a lock with `cache.add`, which then answers None
("someone holds it"), so every login, sign-up and reset waited a second and was refused
as "too many attempts"; its two-factor replay guard marks a used code with `cache.add`,
so every code counted as used and no officer could sign in. Our own limiter lets
requests through, which keeps the site up but stops counting.

For keys starting with one of GUARDED_PREFIXES (allauth's counters, locks and used
codes; our limiter's counters) this backend uses a LocMemCache of the process while
Redis does not answer: logins work, and the limits still hold per process (a guesser
spread over N processes gets N times the allowance, for as long as the outage lasts).
After a failure the process does not try Redis again for these keys for
RETRY_AFTER_SECONDS, so a Redis that hangs costs one socket timeout, not one per
operation. Other keys keep django-redis's behaviour (errors ignored, reads miss):
serving them from one process's memory would show stale pages after an edit made
through another process.
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)

GUARDED_PREFIXES = ("allauth", "lms-rl:")
RETRY_AFTER_SECONDS = 5.0

_local = LocMemCache("lms-guarded-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
_redis_down_until = 0.0


def local_reset() -> None:
    """Forget the fallback's counters and try Redis again (tests)."""
    global _redis_down_until
    _local.clear()
    _redis_down_until = 0.0


class RedisCache(DjangoRedisCache):
    def _guarded(self, method: str, key, *args, **kwargs):
        global _redis_down_until
        if time.monotonic() >= _redis_down_until:
            try:
                return getattr(self.client, method)(key, *args, **kwargs)
            except ConnectionInterrupted:
                _redis_down_until = time.monotonic() + RETRY_AFTER_SECONDS
                logger.warning("Redis unreachable: sign-in limits counted in this process's memory")
        kwargs.pop("client", None)
        return getattr(_local, method)(key, *args, **kwargs)

    @staticmethod
    def _is_guarded(key) -> bool:
        return isinstance(key, str) and key.startswith(GUARDED_PREFIXES)

    def add(self, key, *args, **kwargs):
        if self._is_guarded(key):
            return self._guarded("add", key, *args, **kwargs)
        return super().add(key, *args, **kwargs)

    def get(self, key, default=None, version=None, client=None):
        if self._is_guarded(key):
            return self._guarded("get", key, default=default, version=version)
        return super().get(key, default=default, version=version, client=client)

    def set(self, key, *args, **kwargs):
        if self._is_guarded(key):
            return self._guarded("set", key, *args, **kwargs)
        return super().set(key, *args, **kwargs)

    def delete(self, key, *args, **kwargs):
        if self._is_guarded(key):
            return bool(self._guarded("delete", key, *args, **kwargs))
        return super().delete(key, *args, **kwargs)

    def incr(self, key, *args, **kwargs):
        if self._is_guarded(key):
            return self._guarded("incr", key, *args, **kwargs)
        return super().incr(key, *args, **kwargs)
