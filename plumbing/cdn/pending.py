"""The keys a transaction changed, purged once it commits (one task per transaction).

`purge_after_commit(keys)` is what the apps' cache.py receivers call beside
`invalidate()`. With CDN_PURGERS empty it returns at once: nothing is collected, no hook
registered, no task queued.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from plumbing.cdn.keys import checked

logger = logging.getLogger(__name__)


def purging_enabled() -> bool:
    """Whether a purger is configured (receivers skip work they do only for purging)."""
    return bool(settings.CDN_PURGERS)


def purge_after_commit(keys: Iterable[str]) -> None:
    """Purge these keys from every configured CDN once the transaction commits (at once
    outside a transaction). Keys of the same transaction are purged together, by one
    task; a rolled-back transaction purges nothing."""
    if not settings.CDN_PURGERS:
        return
    keys = checked(keys)
    if not keys:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _enqueue(keys)
        return
    _pending(connection).keys |= keys


def _enqueue(keys: set[str]) -> None:
    from plumbing.cdn.tasks import purge_keys  # the task module imports the purgers

    try:
        purge_keys.enqueue(sorted(keys))
    except Exception:
        # The write is stored all the same; the answers expire by their s-maxage.
        logger.exception("Could not enqueue a CDN purge of %d keys", len(keys))


def _pending(connection):
    """This transaction's after-commit purge, found again by identity among the
    connection's commit hooks (Django drops them on rollback), as
    plumbing.response_cache.generations does for its invalidation."""
    pending = getattr(connection, "_cdn_pending_purge", None)
    if pending is not None and any(hook[1] is pending for hook in connection.run_on_commit):
        return pending

    def purge_after_this_commit():
        _enqueue(purge_after_this_commit.keys)

    purge_after_this_commit.keys = set()
    transaction.on_commit(purge_after_this_commit, robust=True)
    connection._cdn_pending_purge = purge_after_this_commit
    return purge_after_this_commit
