"""Scopes and their generation tokens.

A scope is a name (`"articles"`, `"thread:leica-and-panasonic"`) standing for a set of
public answers that change together. Its generation is a random token, replaced on every
change; a stored answer keeps the tokens it was computed under and is valid only while
they are current. Tokens, not counters, so an evicted or reset key can never make an old
entry match again.

`invalidate(scopes)` replaces tokens at once and, inside a transaction, once more when it
commits (readers in other processes only see the new rows after the commit; the early
replacement keeps reads inside the same transaction, and the test suite, which never
commits, correct).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable

from django.db import transaction

from plumbing.response_cache import store
from plumbing.response_cache.store import generation_key

logger = logging.getLogger(__name__)

__all__ = ["generation_key", "invalidate", "new_token"]


def new_token() -> int:
    # An integer: django-redis stores integers as they are, so reading one back needs no
    # unpickling. 62 random bits: two tokens never meet.
    return secrets.randbits(62) + 1


def invalidate(scopes: Iterable[str]) -> None:
    """Every answer depending on one of `scopes` is stale from now on.

    Call it inside or outside a transaction: inside, it invalidates at once and again
    when the transaction commits. Bumped even with the response cache off: stored counts
    depend on the same tokens, and entries stored before the cache was switched off must
    not match when it is back on.
    """
    scopes = frozenset(scopes)
    if not scopes:
        return
    _replace_tokens(scopes)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        _pending_invalidation(connection).scopes |= scopes


def _replace_tokens(scopes: Iterable[str]) -> None:
    keys = [generation_key(scope) for scope in sorted(scopes)]
    if not keys:
        return
    try:
        store.cache().set_many(dict.fromkeys(keys, new_token()), timeout=None)
    except Exception:
        # A cache that cannot be written cannot serve the old answers either (it is
        # down); the write itself must not fail for it.
        logger.exception("Could not invalidate the response cache")


def _pending_invalidation(connection):
    """This transaction's after-commit invalidation (one per transaction, accumulating
    the scopes that changed). Found again by identity in the connection's commit hooks,
    which Django drops on rollback, so a rolled-back transaction leaves nothing behind."""
    pending = getattr(connection, "_response_cache_pending", None)
    if pending is not None:
        hooks = connection.run_on_commit
        index = pending.hook_index
        if (index < len(hooks) and hooks[index][1] is pending) or any(
            hook[1] is pending for hook in hooks
        ):
            return pending

    def invalidate_after_commit():
        _replace_tokens(invalidate_after_commit.scopes)

    invalidate_after_commit.scopes = set()
    transaction.on_commit(invalidate_after_commit, robust=True)
    invalidate_after_commit.hook_index = len(connection.run_on_commit) - 1
    connection._response_cache_pending = invalidate_after_commit
    return invalidate_after_commit
