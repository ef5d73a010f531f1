"""Recommended learning for competence gaps, without assessments importing courses.

Another app registers a provider at start-up (in its AppConfig.ready):

    from assessments.recommendations import register_provider
    register_provider(my_provider)

A provider is called as `provider(person=user, gaps=[Gap, ...])` (assessments.selectors.Gap:
competence_code, competence_title, required, current, missing) and returns an iterable of
dicts with "title" and "url", and optionally "reason" and "competence_codes". A provider
that raises is logged and skipped: a recommendation never breaks the profile page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

logger = logging.getLogger(__name__)

Provider = Callable[..., Iterable[dict]]
_providers: list[Provider] = []


def register_provider(fn: Provider) -> Provider:
    """Add a provider (once; registering it again does nothing). Usable as a decorator."""
    if fn not in _providers:
        _providers.append(fn)
    return fn


def unregister_provider(fn: Provider) -> None:
    if fn in _providers:
        _providers.remove(fn)


def recommendations_for(*, person, gaps: list) -> list[dict]:
    """What every registered provider recommends for `gaps` (nothing when there are none),
    duplicates (same url) removed, in provider order."""
    if not gaps:
        return []
    seen: set[str] = set()
    out: list[dict] = []
    for provider in list(_providers):
        try:
            items = list(provider(person=person, gaps=gaps) or [])
        except Exception:
            logger.exception("Recommendation provider %r failed", provider)
            continue
        for item in items:
            url = str(item.get("url", ""))
            if not item.get("title") or url in seen:
                continue
            seen.add(url)
            out.append(item)
    return out
