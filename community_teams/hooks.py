"""Other apps (the indicator rollups) react to new facts without this app importing them:

    from community_teams.hooks import on_visits_received

    @on_visits_received
    def mark_dirty(*, village_ids: list[int]) -> None: ...

Callbacks run inside the sync's transaction, so what they write (an outbox row) commits
with the visits, or not at all.
"""

from collections.abc import Callable

VisitsCallback = Callable[..., object]
_callbacks: list[VisitsCallback] = []


def on_visits_received(func: VisitsCallback) -> VisitsCallback:
    if func not in _callbacks:
        _callbacks.append(func)
    return func


def on_visits_received_unregister(func: VisitsCallback) -> None:
    if func in _callbacks:
        _callbacks.remove(func)


def visits_received(*, village_ids: list[int] | set[int]) -> None:
    """Tell every registered callback which villages got new visits."""
    if not village_ids:
        return
    ids = sorted(set(village_ids))
    for func in list(_callbacks):
        func(village_ids=ids)
