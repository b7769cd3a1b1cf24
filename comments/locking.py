"""Row locks for the comments domain's write paths (comments.services, comments.moderating,
comments.threads), in one place so every writer takes the same, weakest sufficient lock."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet


def locked(queryset: QuerySet) -> QuerySet:
    """`SELECT ... FOR NO KEY UPDATE` where the database has it (PostgreSQL), else FOR UPDATE.

    We never change a comment's id, so the weaker lock still serializes posts and
    moderation on the same rows. A plain FOR UPDATE would also block the FOR KEY SHARE
    lock PostgreSQL's deferred foreign-key check takes at COMMIT: a bulk approval that
    updates a reply twice (status, then is_listed) checks the reply's parent at COMMIT,
    while holding the article's row for its count; a reader replying to that parent held
    it FOR UPDATE and waited for the article's row: a deadlock (503) under load.
    """
    return queryset.select_for_update(no_key=connection.features.has_select_for_no_key_update)
