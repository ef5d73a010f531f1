"""Read replicas: dashboards and exports may read from one; everything else uses the primary.

A view opts in with ``@use_replica`` (or code with ``with use_replica():``). Inside that
scope, and only there, the router below sends reads to one replica chosen for the scope,
so every query of a page sees the same snapshot source. It stays on the primary when:

- no replica is configured (``DATABASE_REPLICA_URLS`` empty): nothing changes at all;
- the request is not a GET or HEAD (a form post reads what it is about to write);
- the primary is inside a transaction (``atomic``), whose reads must see its own writes;
- anything was written in the scope: from then on reads follow the write to the primary.

Writes always go to the primary. The decorator resolves the logged-in user (session and
user row) on the primary before entering the scope: a person who just logged in or was just
given a role is never refused because a replica is a second behind. A replica lags by
seconds at most; dashboards and exports read rollups refreshed by jobs every minute or five,
so the lag is invisible there, and that is why only they opt in.
"""

import contextvars
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

SAFE_METHODS = ("GET", "HEAD")


@dataclass
class _Scope:
    alias: str | None  # the replica this scope reads from (None: no replica configured)
    wrote: bool = False  # a write happened in the scope: reads go back to the primary


_scope: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("lms_replica_scope", default=None)


def replica_aliases() -> list[str]:
    """Database aliases of the configured replicas (settings.DATABASE_REPLICAS)."""
    return list(getattr(settings, "DATABASE_REPLICAS", ()) or ())


@contextmanager
def _replica_scope() -> Iterator[None]:
    aliases = replica_aliases()
    token = _scope.set(_Scope(alias=random.choice(aliases) if aliases else None))
    try:
        yield
    finally:
        _scope.reset(token)


def use_replica(view: Callable | None = None):
    """``@use_replica`` on a read-only view, or ``with use_replica():`` around reads that
    tolerate a replica's few seconds of lag. See the module docstring for the rules."""
    if view is None:
        return _replica_scope()

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            return view(request, *args, **kwargs)
        user = getattr(request, "user", None)
        if user is not None:
            getattr(user, "pk", None)  # resolve the lazy user on the primary
        with _replica_scope():
            return view(request, *args, **kwargs)

    return wrapped


def replica_in_use() -> str | None:
    """The replica alias reads would use now, or None (for logs and tests)."""
    scope = _scope.get()
    if scope is None or scope.alias is None or scope.wrote:
        return None
    if _in_transaction():
        return None
    return scope.alias


def _in_transaction() -> bool:
    # Django's TestCase wraps each test in atomic blocks it marks as its own: those are
    # not a transaction of the code under test.
    blocks = connections[DEFAULT_DB_ALIAS].atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


class PrimaryReplicaRouter:
    """Installed by the settings only when DATABASE_REPLICA_URLS names replicas."""

    def db_for_read(self, model, **hints) -> str:
        return replica_in_use() or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True
        # Explicit: an object read from a replica is still saved to the primary.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        same_data = {DEFAULT_DB_ALIAS, *replica_aliases()}
        if obj1._state.db in same_data and obj2._state.db in same_data:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # Replicas receive the schema from the primary by replication.
        return False if db in replica_aliases() else None
