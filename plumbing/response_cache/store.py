"""The cache backend behind the response cache: which entry a request maps to, reading
entries with their generations in one round trip, and the pause taken when the backend
hangs.

A cache that answers nothing and takes about a socket timeout to do so is treated as
down for a while (per process), so a hung cache costs one timeout, not three per request
(with Redis the client's circuit breaker, plumbing/redis_circuit.py, usually fails faster
still). An answer with data is never "down", however slow: a process starved
of CPU must not turn its cache off, which would only add load.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import QueryDict

from plumbing.response_cache import routes
from plumbing.shared_cache import is_process_local

logger = logging.getLogger(__name__)

ENTRY_PREFIX = "rc:e:"
GENERATION_PREFIX = "rc:g:"
ENTRY_FORMAT = 3  # 3: the headers hold Surrogate-Key and Cache-Tag
_SLOW_CACHE_SECONDS = 0.9
_CACHE_PAUSE_SECONDS = 30.0
_JSON_RANGES = frozenset({"*/*", "application/*", "application/json"})

_paused_until = 0.0


def generation_key(scope: str) -> str:
    """The cache key holding a scope's current generation token."""
    return GENERATION_PREFIX + scope


def cache():
    return caches[settings.API_RESPONSE_CACHE_ALIAS]


def paused() -> bool:
    return time.monotonic() < _paused_until


def reset_pause() -> None:
    """Forget an earlier pause (tests; an operator's shell after fixing the backend)."""
    global _paused_until
    _paused_until = 0.0


def shared_by_every_process(environ) -> bool:
    """Whether an invalidation reaches every process serving this request's site.

    A process-local backend (local memory, the default without REDIS_URL) is right for
    one process (runserver, one gunicorn worker); under a multi-process server
    (`wsgi.multiprocess`, which gunicorn sets with more than one worker) a write in one
    worker would leave the others answering from their stale copies, so they must not
    answer from it at all.
    """
    if not environ.get("wsgi.multiprocess"):
        return True
    if is_process_local(cache()):
        _warn_process_local_once()
        return False
    return True


_warned = False


def _warn_process_local_once() -> None:
    global _warned
    if not _warned:
        _warned = True
        logger.warning(
            "Response cache off: the cache is local to each process and this server runs "
            "several. Set REDIS_URL to share one cache between the workers."
        )


def usable(environ) -> bool:
    """The response cache is switched on, its backend is not paused, and every process
    of this server sees the same entries."""
    return settings.API_RESPONSE_CACHE and not paused() and shared_by_every_process(environ)


def get_many(keys: list[str]) -> dict:
    """`cache.get_many`, pausing the cache when an empty answer took a timeout's time."""
    global _paused_until
    started = time.monotonic()
    try:
        found = cache().get_many(keys)
    except Exception:
        logger.exception("Response cache unavailable")
        found = {}
    if not found and time.monotonic() - started > _SLOW_CACHE_SECONDS:
        _paused_until = time.monotonic() + _CACHE_PAUSE_SECONDS
        logger.warning("Response cache too slow: not used for %d s", _CACHE_PAUSE_SECONDS)
    return found


@dataclass(frozen=True)
class Lookup:
    """Where a request's stored answer is, and the generation keys it depends on."""

    entry_key: str
    dependencies: tuple[str, ...]

    @property
    def keys(self) -> list[str]:
        return [self.entry_key, *self.dependencies]


def accepts_json_only(accept: str) -> bool:
    """Whether DRF would answer this Accept header with the plain (unindented) JSON we
    store. Anything unusual (an `indent` parameter, no JSON range) goes to DRF."""
    if not accept:
        return True
    for part in accept.split(","):
        media, _, params = part.partition(";")
        if "indent" in params:
            return False
        if media.strip().lower() in _JSON_RANGES:
            return True
    return False


def lookup(environ, origin: str, matched=None) -> Lookup | None:
    """The entry and generations of a GET of a registered public route, from the WSGI
    environ, or None when this request must go through the whole stack. `matched`: the
    path's `routes.match`, when the caller has it already."""
    path_info = environ.get("PATH_INFO", "")
    matched = matched or routes.match(path_info)
    if matched is None:
        return None
    route, found = matched
    if any(key in environ for key in route.bypass_when_present):
        return None
    if not accepts_json_only(environ.get("HTTP_ACCEPT", "")):
        return None
    query_string = environ.get("QUERY_STRING", "")
    query = sorted(QueryDict(query_string).lists()) if query_string else ()
    address = f"{origin}{environ.get('SCRIPT_NAME', '')}{path_info}?{query!r}".encode()
    return Lookup(
        ENTRY_PREFIX + hashlib.blake2b(address, digest_size=16).hexdigest(),
        tuple(generation_key(scope) for scope in route.scopes(found, query_string)),
    )


def valid_entry(found: dict, lookup: Lookup, now: float):
    """The stored answer when it is still right (its generations are the current ones
    and it has not expired), else None. An entry whose view named more scopes after
    reading its rows (hints.also_depends_on: the articles a list page shows) costs a
    second round trip for theirs."""
    entry = found.get(lookup.entry_key)
    if entry is None or entry[0] != ENTRY_FORMAT or entry[5] <= now:
        return None
    generations = tuple(found.get(key) for key in lookup.dependencies)
    if entry[6] != generations or None in generations:
        return None
    extra_keys, extra_generations = entry[7], entry[8]
    if extra_keys:
        current = get_many(list(extra_keys))
        if tuple(current.get(key) for key in extra_keys) != extra_generations:
            return None
    return entry


def public_cache_control(seconds_left: float | None = None) -> str:
    s_maxage = settings.API_CACHE_S_MAXAGE
    if seconds_left is not None:
        s_maxage = max(0, min(s_maxage, int(seconds_left)))
    return (
        f"public, max-age=0, s-maxage={s_maxage}, "
        f"stale-while-revalidate={settings.API_CACHE_STALE_WHILE_REVALIDATE}"
    )
