"""What views tell the response cache about their answers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime


def expire_response_at(response, moment: datetime | None) -> None:
    """The answer is right until `moment` (a scheduled publication, comments closing):
    neither our cache nor a CDN may keep it longer. Several calls keep the earliest."""
    if moment is None:
        return
    current = getattr(response, "_cache_expires_at", None)
    timestamp = moment.timestamp()
    if current is None or timestamp < current:
        response._cache_expires_at = timestamp


def do_not_store(response) -> None:
    """The view cannot tell how long its answer stays right: do not keep it."""
    response._cache_expires_at = 0.0


def also_depends_on(response, scopes: Iterable[str], *, still_current: Callable[[], bool]) -> None:
    """The answer also depends on these scopes, known only once the view read its rows
    (the articles a page shows). Their generations can only be read after the rows, so
    a change committed in between would go unnoticed: once it has read them, the cache
    calls `still_current()`, which checks again, in the database, what the scopes stand
    for (and stores nothing when it answers False)."""
    response._cache_also_depends_on = (tuple(scopes), still_current)
