"""What views tell the response cache about their answers."""

from __future__ import annotations

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
