"""`/healthz`: is the database reachable, is the cache answering."""

import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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
    # A cache outage degrades the site (slower, no throttling memory) but does not stop it.
    return JsonResponse(body, status=200 if database_ok else 503)
