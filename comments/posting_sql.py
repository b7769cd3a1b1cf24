"""The comment POST's one read of the comment table, as SQL written once.

The ORM built this aggregate (five filtered aggregates over a Q tree) for every
submission, and compiling it was the largest single cost of a comment POST (a third of
the pipeline's time in the bench's profile; docs/performance.md). Its shape varies in
four ways only (an edit leaves out one comment, a flood interval is set, an IP is known,
a duplicate is asked about, the parent is none), so the statement is assembled from
fixed fragments here, with the values as parameters, and runs on PostgreSQL and SQLite
alike (both have `FILTER (WHERE ...)`). tests/comments/test_posting_facts.py checks it
against the same questions asked through the ORM.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from comments.models import Comment
from plumbing.sql import aware_datetime

_TABLE = Comment._meta.db_table
_APPROVED = "status = 'approved'"
# Rejected: spam, or removed by a moderator (a reader's own withdrawal is not a rejection).
_REJECTED = "(status = 'spam' OR (status = 'removed' AND moderated_by_id IS NOT NULL))"
assert {Comment.Status.APPROVED, Comment.Status.SPAM, Comment.Status.REMOVED} <= set(
    Comment.Status.values
)


def posting_counts(
    *,
    email: str,
    since: datetime,
    now: datetime,
    excluding_comment_id: int | None,
    flood_since: datetime | None,
    ip_address: str | None,
    same_words: dict | None,
) -> tuple[int, int, int, datetime | None, int]:
    """(approved, recent_decided, recent_rejected, last_post_at, duplicates): see
    comments.selectors.posting_facts for what each means."""
    ops = connection.ops
    when = ops.adapt_datetimefield_value
    by_address, params_address = "author_email = %s", [email]
    if excluding_comment_id is not None:
        by_address += " AND id <> %s"
        params_address.append(excluding_comment_id)
    recent = "submitted_at >= %s AND submitted_at <= %s"
    params_recent = [when(since), when(now)]

    columns = [
        f"COUNT(*) FILTER (WHERE {by_address} AND {_APPROVED})",
        f"COUNT(*) FILTER (WHERE {by_address} AND {recent} AND ({_APPROVED} OR {_REJECTED}))",
        f"COUNT(*) FILTER (WHERE {by_address} AND {recent} AND {_REJECTED})",
    ]
    params = [*params_address, *params_address, *params_recent, *params_address, *params_recent]
    rows, params_rows = "author_email = %s", [email]
    if flood_since is not None:
        columns.append("MAX(submitted_at) FILTER (WHERE submitted_at > %s)")
        params.append(when(flood_since))
        if ip_address:
            rows += " OR (ip_address = %s AND submitted_at > %s)"
            params_rows += [ops.adapt_ipaddressfield_value(ip_address), when(flood_since)]
    else:
        columns.append("NULL")
    if same_words is not None:
        parent_id = same_words["parent_id"]
        parent = "parent_id IS NULL" if parent_id is None else "parent_id = %s"
        columns.append(
            "COUNT(*) FILTER (WHERE author_email = %s AND article_id = %s AND "
            f"{parent} AND author_name = %s AND body = %s AND status <> 'removed')"
        )
        article = same_words["article"]
        params += [email, getattr(article, "pk", article)]
        params += [] if parent_id is None else [parent_id]
        params += [same_words["author_name"], same_words["body"]]
    else:
        columns.append("0")
    # Every fragment above is a constant of this module; the values are parameters.
    sql = f"SELECT {', '.join(columns)} FROM {_TABLE} WHERE {rows}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *params_rows])
        approved, decided, rejected, last, duplicates = cursor.fetchone()
    return approved, decided, rejected, aware_datetime(last), duplicates
