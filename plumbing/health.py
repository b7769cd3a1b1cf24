"""`/healthz`: is the database reachable, is the cache answering; with read replicas,
each database's role, state and lag (never its address or credentials)."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from plumbing import db_routing

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any driver error means "not reachable" here
        logger.warning("healthz: database unreachable", exc_info=True)
        return False


def _cache_ok() -> bool:
    try:
        cache.set("healthz:probe", "1", 5)
        return cache.get("healthz:probe") == "1"
    except Exception:
        logger.warning("healthz: cache unreachable", exc_info=True)
        return False


def _databases(primary_ok: bool) -> list[dict]:
    """The primary and every replica, each probed now (a replica's verdict is kept for
    the router too)."""
    databases = [{"name": "default", "role": "primary", "ok": primary_ok, "lag": None}]
    for alias in settings.DATABASE_REPLICAS:
        health = db_routing.check_now(alias)
        lag = None if health.lag is None else round(health.lag, 3)
        databases.append({"name": alias, "role": "replica", "ok": health.ok, "lag": lag})
    return databases


@never_cache
@require_GET
def healthz(request):
    database_ok = _database_ok()
    cache_ok = _cache_ok()
    body = {
        "status": "ok" if database_ok else "unavailable",
        "database": "ok" if database_ok else "unavailable",
        "cache": "ok" if cache_ok else "unavailable",
    }
    if settings.DATABASE_REPLICAS:
        # A replica down or lagging is skipped (reads go to the primary): not a 503.
        body["databases"] = _databases(database_ok)
    # A cache outage degrades the site (slower, no throttling memory) but does not stop it.
    return JsonResponse(body, status=200 if database_ok else 503)
