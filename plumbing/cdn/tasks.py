"""The purge task: every configured purger drops the keys; a purger that failed for a
reason worth retrying (no answer, a 5xx, a 429) is asked again by a new task after
1 s, 5 s, 30 s and 2 min, then given up (logged). With read replicas, a purge that
succeeded is sent once more DATABASE_REPLICA_MAX_LAG_SECONDS later: a CDN that refetched
at once may have been answered from a replica that had not seen the write yet.

Retries and the repeat need a queue that can run a task later (TASKS_BACKEND=database,
production's); the immediate backend of `make run` purges once and logs a failure.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from plumbing.cdn.base import PurgeFailed, Purger
from plumbing.cdn.cloudflare import CloudflarePurger
from plumbing.cdn.fastly import FastlyPurger
from plumbing.cdn.varnish import VarnishPurger

logger = logging.getLogger(__name__)

PURGERS: dict[str, type[Purger]] = {
    purger.name: purger for purger in (VarnishPurger, FastlyPurger, CloudflarePurger)
}
# Seconds before each retry of a failed purge; then it is given up.
RETRY_DELAYS = (1, 5, 30, 120)


def purger(name: str) -> Purger:
    config = settings.CDN_PURGE[name]
    return PURGERS[name](config, timeout=settings.CDN_PURGE_TIMEOUT)


@task()
def purge_keys(
    keys: list[str], purgers: list[str] | None = None, attempt: int = 0, repeat: bool = True
) -> dict[str, list[str]]:
    """Purge `keys` through `purgers` (every configured one when None). `attempt`
    counts the retries so far; `repeat`: send it again after the replicas' lag once it
    succeeded. Returns which purgers succeeded, will retry, or gave up."""
    names = [name for name in (purgers or settings.CDN_PURGERS) if name in settings.CDN_PURGERS]
    outcome: dict[str, list[str]] = {"purged": [], "retrying": [], "given_up": []}
    for name in names:
        try:
            purger(name).purge(keys)
        except PurgeFailed as failure:
            if failure.retry and attempt < len(RETRY_DELAYS) and _can_defer():
                logger.warning("CDN purge (%s) failed, retrying: %s", name, failure)
                outcome["retrying"].append(name)
            else:
                logger.error("CDN purge (%s) of %d keys given up: %s", name, len(keys), failure)
                outcome["given_up"].append(name)
        else:
            outcome["purged"].append(name)
    if outcome["retrying"]:
        _later(RETRY_DELAYS[attempt], keys, outcome["retrying"], attempt + 1, repeat)
    if outcome["purged"] and repeat and settings.DATABASE_REPLICAS and _can_defer():
        _later(settings.DATABASE_REPLICA_MAX_LAG_SECONDS, keys, outcome["purged"], 0, False)
    return outcome


def _can_defer() -> bool:
    return purge_keys.get_backend().supports_defer


def _later(seconds: float, keys, purgers, attempt: int, repeat: bool) -> None:
    run_after = timezone.now() + timedelta(seconds=seconds)
    try:
        purge_keys.using(run_after=run_after).enqueue(keys, purgers, attempt, repeat)
    except Exception:
        logger.exception("Could not enqueue a CDN purge of %d keys", len(keys))
