"""The default cache when every process of the site sees the same one (Redis), else None.

Values that a write invalidates (the moderation policy, whether any sanction is in
force) may be kept in a cache only if the invalidation reaches every process. A
process-local backend (local memory, the default without REDIS_URL) cannot promise that
under a multi-process server, and reading the row from an embedded SQLite costs about
what the cache would, so such values are then read from the database every time.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache


def shared_cache() -> BaseCache | None:
    # SHARED_CACHE (settings): None decides by the backend; True or False says (tests,
    # or one process serving with local memory).
    declared = getattr(settings, "SHARED_CACHE", None)
    backend = caches["default"]
    if declared is None:
        declared = not isinstance(backend, LocMemCache | DummyCache)
    return backend if declared else None
