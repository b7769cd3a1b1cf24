"""Read replicas with read-your-writes (docs/deployment.md, "Read replicas").

Only a request that ReadReplicaMiddleware judged a public read may read from a replica;
everything else (writes, staff, a reader pinned by a recent write, reads inside a
transaction, tasks, commands, the shell) reads the primary, `default`. The verdict lives
in a context variable, so it follows the request and nothing else. A replica that does
not answer, or lags beyond DATABASE_REPLICA_MAX_LAG_SECONDS, is skipped for
CHECK_SECONDS (5; the verdict is kept per process, so one probe per replica and process
every 5 seconds at most, made by the request that finds the verdict too old).

With no DATABASE_REPLICA_URLS neither the router nor the middleware is in use: no cost.
Why ours and not django-multidb-router: docs/decisions.md ("Read replicas").
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, connections

from plumbing.response_cache import routes as cache_routes
from plumbing.response_cache import store as cache_store

logger = logging.getLogger(__name__)

PIN_COOKIE = "db_pin"
# How long a replica's verdict (reachable, lag) is kept before it is probed again.
CHECK_SECONDS = 5.0
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Staff work: the admin and the staff API (plumbing/staff_api.py's views live here).
STAFF_PATH_PREFIXES = ("/admin/", "/api/v1/moderation/", "/api/v1/desk/")

# False outside a request judged a public read: tasks, commands and the shell read the
# primary, so a task queued after a commit always finds the row it was queued for.
_replica_reads = contextvars.ContextVar("replica_reads", default=False)


@contextmanager
def primary_reads():
    """Send the reads of the block to the primary, whatever the request is."""
    token = _replica_reads.set(False)
    try:
        yield
    finally:
        _replica_reads.reset(token)


@contextmanager
def replica_reads():
    """Let the reads of the block go to a healthy replica (what the middleware does for a
    public read)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


# -- health ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplicaHealth:
    alias: str
    ok: bool
    lag: float | None  # seconds behind the primary; None where the backend cannot tell
    checked_at: float


# The replay lag of a PostgreSQL standby; 0 when it has replayed all it received (an
# idle primary writes nothing, and the last replay's age would grow for no reason). `<=`,
# not `=`: a standby that just restarted reports the start of the WAL segment it resumes
# streaming from, below what it already replayed, until the primary writes again. NULL
# on a server that is not a standby.
_PG_LAG_SQL = (
    "SELECT CASE WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0"
    " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
)

_health: dict[str, ReplicaHealth] = {}


def probe(alias: str) -> ReplicaHealth:
    """Connect to `alias` and measure its lag (never raises)."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(_PG_LAG_SQL)
                value = cursor.fetchone()[0]
                lag = None if value is None else float(value)
            else:
                cursor.execute("SELECT 1")
                cursor.fetchone()
                lag = None
    except Exception as exc:  # any driver error means "not usable now"
        # One line, no traceback: a replica down is logged every CHECK_SECONDS per worker.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        logger.warning("Replica %s unreachable (%s): reads go to the primary", alias, reason)
        return ReplicaHealth(alias, False, None, time.monotonic())
    limit = settings.DATABASE_REPLICA_MAX_LAG_SECONDS
    ok = lag is None or lag <= limit
    if not ok:
        logger.warning("Replica %s lags %.1f s (limit %s s): skipped", alias, lag, limit)
    return ReplicaHealth(alias, ok, lag, time.monotonic())


def replica_health(alias: str) -> ReplicaHealth:
    """The last verdict on `alias`, probed again once it is older than CHECK_SECONDS."""
    known = _health.get(alias)
    if known is None or time.monotonic() - known.checked_at >= CHECK_SECONDS:
        known = _health[alias] = probe(alias)
    return known


def check_now(alias: str) -> ReplicaHealth:
    """Probe `alias` now and keep the verdict (/healthz)."""
    known = _health[alias] = probe(alias)
    return known


def forget_health() -> None:
    """Drop every verdict (tests; a deploy that changed the replicas)."""
    _health.clear()


# -- the router -----------------------------------------------------------------------

_turns = itertools.count()
# The replicas this request's reads were sent to (set by the middleware per request).
_replicas_used: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "replicas_used", default=None
)


def pick_replica() -> str:
    """A healthy replica in turn, or the primary when none is."""
    aliases = settings.DATABASE_REPLICAS
    start = next(_turns)
    for offset in range(len(aliases)):
        alias = aliases[(start + offset) % len(aliases)]
        if replica_health(alias).ok:
            used = _replicas_used.get()
            if used is not None:
                used.add(alias)
            return alias
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Writes, and every read not allowed a replica, go to `default`."""

    def db_for_read(self, model, **hints):
        if not _replica_reads.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            # Inside a transaction a read must see the transaction's own writes.
            return DEFAULT_DB_ALIAS
        return pick_replica()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # A row read from a replica is the primary's row: relations between them are fine.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Replicas copy the primary's schema; migrate never writes to them.
        return db == DEFAULT_DB_ALIAS


# -- the middleware -------------------------------------------------------------------


def may_read_replica(request) -> bool:
    """A public read by a reader who has not written within the pin window."""
    if request.method not in SAFE_METHODS or PIN_COOKIE in request.COOKIES:
        return False
    path = request.path_info
    if path.startswith(STAFF_PATH_PREFIXES):
        return False
    # Staff sign in by session (the admin) or token; readers have neither.
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return False
    # An answer the response cache will keep must be built from the primary: built from a
    # lagging replica right after an invalidation, a stale entry would outlive the lag
    # by up to API_RESPONSE_CACHE_TIMEOUT.
    fills_the_cache = (
        request.method == "GET"
        and path.startswith(settings.API_RESPONSE_CACHE_PATH_PREFIXES)
        and cache_store.usable(request.META)
        and cache_routes.match(path) is not None
    )
    return not fills_the_cache


class ReadReplicaMiddleware:
    """Decides where the request's reads go; pins a reader who wrote to the primary."""

    def __init__(self, get_response):
        if not settings.DATABASE_REPLICAS:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        replica_allowed = may_read_replica(request)
        used: set[str] = set()
        token = _replica_reads.set(replica_allowed)
        used_token = _replicas_used.set(used)
        try:
            response = self.get_response(request)
        finally:
            _replica_reads.reset(token)
            _replicas_used.reset(used_token)
        if replica_allowed and used and getattr(response, "database_unavailable", False):
            response = self._again_from_the_primary(request, response, used)
        if request.method not in SAFE_METHODS and 200 <= response.status_code < 300:
            # The reader's next reads see what they just wrote, however far a replica lags.
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    def _again_from_the_primary(self, request, response, used: set[str]):
        """A replica that was healthy at its last probe failed this read (it went down
        since): it is probed now, and when it is found down the read, a safe method, is
        answered again from the primary, so readers never see the 503 of a replica's
        fall; the next reads skip it at once. The primary's own failure stays a 503."""
        failed = [alias for alias in sorted(used) if not check_now(alias).ok]
        if not failed:
            return response
        for alias in failed:
            try:
                connections[alias].close()  # a broken connection, reopened once it is back
            except Exception:
                logger.debug("Closing replica %s failed", alias, exc_info=True)
        with primary_reads():
            return self.get_response(request)
