"""The default cache when every process of the site sees the same one (Redis), else None;
and the deploy check that says when it does not.

Values that a write invalidates (the moderation policy, whether any sanction is in
force) may be kept in a cache only if the invalidation reaches every process. A
process-local backend (local memory, the default without REDIS_URL) cannot promise that
under a multi-process server, and reading the row from an embedded SQLite costs about
what the cache would, so such values are then read from the database every time.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.cache import BaseCache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache


def is_process_local(backend: BaseCache) -> bool:
    """Whether each process has its own copy of this cache (local memory, or none)."""
    return isinstance(backend, LocMemCache | DummyCache)


def shared_cache() -> BaseCache | None:
    # SHARED_CACHE (settings): None decides by the backend; True or False says (tests,
    # or one process serving with local memory).
    declared = getattr(settings, "SHARED_CACHE", None)
    backend = caches["default"]
    if declared is None:
        declared = not is_process_local(backend)
    return backend if declared else None


@checks.register(checks.Tags.caches, deploy=True)
def check_cache_shared_by_every_process(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`check --deploy`: production with a cache local to each process. Throttles and
    flood gates would count per process, and the response cache, which switches itself
    off under one multi-worker gunicorn, cannot see other nodes: each node of several,
    one worker each, would keep answering from its own stale copy after a write on
    another (docs/deployment.md)."""
    if settings.DEBUG or not is_process_local(caches["default"]):
        return []
    return [
        checks.Warning(
            "The cache is local to each process: throttles, flood gates and the response "
            "cache are not shared between gunicorn workers or app nodes.",
            hint="Set REDIS_URL (or REDIS_SENTINELS and REDIS_SENTINEL_MASTER); only a "
            "site served by one single process may do without (docs/deployment.md).",
            id="plumbing.W001",
        )
    ]
