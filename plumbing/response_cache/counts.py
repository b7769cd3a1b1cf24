"""List totals kept between changes of a scope.

COUNT(*) over every visible row is the one part of a list page whose cost grows with
the table. A total is stored with the generation of the scope it depends on and is used
only while that generation is current, and no longer than a moment the caller names
(the next scheduled publication, say). Switched by API_COUNT_CACHE, independently of the
response cache: it also serves when answers are not stored.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from plumbing.response_cache import store
from plumbing.response_cache.generations import generation_key, new_token

logger = logging.getLogger(__name__)

_COUNT = "rc:c2:"  # entries (count, generation, expires, extra)
_IGNORED_PARAMETERS = frozenset({"page", "page_size", "ordering"})


def count_key(request) -> str:
    """One key per filter combination of a list (page, size and order do not change how
    many rows there are)."""
    query = sorted(
        (name, values) for name, values in request.GET.lists() if name not in _IGNORED_PARAMETERS
    )
    address = f"{request.path_info}?{query!r}".encode()
    return _COUNT + hashlib.blake2b(address, digest_size=16).hexdigest()


def _usable(request) -> bool:
    return (
        settings.API_COUNT_CACHE
        and not store.paused()
        and store.shared_by_every_process(request.META)
    )


@dataclass(frozen=True)
class StoredCount:
    """A count lookup: the count if still right (None: count again), what was stored
    with it, and the scope's current generation (to store a new count under)."""

    count: int | None
    generation: int | None
    extra: object = None


def count_lookup(request, key: str, *, scope: str) -> StoredCount:
    """The stored count, if still right, and what was stored with it."""
    if not _usable(request):
        return StoredCount(None, None)
    generation_name = generation_key(scope)
    found = store.get_many([key, generation_name])
    generation = found.get(generation_name)
    stored = found.get(key)
    if generation is None or stored is None:
        return StoredCount(None, generation)
    count, stored_generation, expires, extra = stored
    if stored_generation != generation or expires <= timezone.now().timestamp():
        return StoredCount(None, generation)
    return StoredCount(count, generation, extra)


def count_store(
    request,
    key: str,
    count: int,
    *,
    scope: str,
    generation: int | None,
    expires_at: datetime | None,
    extra: object = None,
) -> None:
    """Keep a count computed under `generation` until the scope changes, `expires_at`
    or the response cache's timeout, whichever comes first; `extra` (small, picklable)
    is kept with it, for what else the caller computed with the count."""
    if not _usable(request):
        return
    now = timezone.now().timestamp()
    expires = now + settings.API_RESPONSE_CACHE_TIMEOUT
    if expires_at is not None:
        expires = min(expires, expires_at.timestamp())
    if expires <= now:
        return
    try:
        if generation is None:
            # First use of the scope: start it, so a later change replaces it.
            generation = new_token()
            if not store.cache().add(generation_key(scope), generation, timeout=None):
                return
        entry = (count, generation, expires, extra)
        store.cache().set(key, entry, timeout=math.ceil(expires - now))
    except Exception:
        logger.exception("Response cache unavailable")
