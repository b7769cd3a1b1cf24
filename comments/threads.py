"""The shape of comment threads: how deep a comment sits, and whether readers see it.

A reply is one level deeper than its parent (0 at the top). A comment is *listed* (on
the public list) when it is approved and its parent is listed: approved with every
ancestor approved, so a reply under a held or hidden comment waits until its parent is
shown again. `Comment.depth` and `Comment.is_listed` store both, so the public list is one
indexed filter rather than a walk up each thread; every write that creates comments or
changes a status takes them from here: a reader's comment (comments.services), moderation
(`threads_refresh_listing`) and whole imported threads (`comments_import`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from articles.models import Article
from comments.locking import locked
from comments.models import Comment


def thread_depth(*, parent: Comment | None) -> int:
    """The depth of a new comment under `parent` (None: at the top)."""
    return 0 if parent is None else parent.depth + 1


def thread_listed(*, status: str, parent: Comment | None) -> bool:
    """Whether a comment with this status under `parent` is on the public list."""
    return status == Comment.Status.APPROVED and (parent is None or parent.is_listed)


def threads_refresh_listing(*, roots: list[Comment]) -> set[int]:
    """Recompute `is_listed` for the given comments (their new status set, `is_listed`
    as stored) and all their replies; return the ids of the articles where a comment was
    listed or unlisted.

    One query per thread level (locking each level, so a reply being posted under a
    comment we are hiding either waits for us or is seen by us), then two updates.
    """
    nodes: dict[int, tuple[int | None, str, bool, int]] = {
        c.pk: (c.parent_id, c.status, c.is_listed, c.article_id) for c in roots
    }
    frontier = list(nodes)
    while frontier:
        children = list(
            locked(Comment.objects)
            .filter(parent_id__in=frontier)
            .exclude(pk__in=list(nodes))
            .values_list("pk", "parent_id", "status", "is_listed", "article_id")
        )
        for pk, parent_id, status, is_listed, article_id in children:
            nodes[pk] = (parent_id, status, is_listed, article_id)
        frontier = [row[0] for row in children]
    outside_parents = {n[0] for n in nodes.values() if n[0] is not None and n[0] not in nodes}
    listed: dict[int, bool] = dict(
        Comment.objects.filter(pk__in=outside_parents).values_list("pk", "is_listed")
    )

    def is_listed(pk: int) -> bool:
        # Iterative: imported threads can be deeper than Python's recursion limit.
        path: list[int] = []
        node: int | None = pk
        while node is not None and node not in listed:
            path.append(node)
            node = nodes[node][0]
        parent_listed = node is None or listed[node]
        for current in reversed(path):
            parent_listed = parent_listed and nodes[current][1] == Comment.Status.APPROVED
            listed[current] = parent_listed
        return listed[pk]

    to_list, to_unlist, articles = [], [], set()
    for pk, (_, _, was_listed, article_id) in nodes.items():
        now_listed = is_listed(pk)
        if now_listed != was_listed:
            (to_list if now_listed else to_unlist).append(pk)
            articles.add(article_id)
    if to_list:
        Comment.objects.filter(pk__in=to_list).update(is_listed=True)
    if to_unlist:
        Comment.objects.filter(pk__in=to_unlist).update(is_listed=False)
    return articles


# --- importing whole threads ------------------------------------------------------------


@dataclass(frozen=True)
class ImportedComment:
    """A comment from another site's export, keyed by its id there (`Comment.wordpress_id`;
    `parent_wordpress_id` names its parent among the same article's rows)."""

    wordpress_id: int
    parent_wordpress_id: int | None
    author_name: str
    author_email: str
    author_url: str
    body: str
    status: str
    submitted_at: datetime
    ip_address: str | None


@dataclass
class CommentsImported:
    """What `comments_import` did: rows by outcome, and what it adapted."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # an id given twice (the first wins), or another article's comment
    orphans: int = 0  # rows whose parent is not among the rows: made top-level
    loops_broken: int = 0  # rows whose parents came back to them: one made top-level
    # Article.comment_count differs from the approved comments: recount it
    # (comments.services.comment_counts_refresh, which callers can batch).
    count_stale: bool = False


# Atomic alone; inside a caller's transaction, no savepoint of its own (an import calls
# it once a post, and fails as a whole).
@transaction.atomic(savepoint=False)
def comments_import(*, article: Article, rows: Iterable[ImportedComment]) -> CommentsImported:
    """Create an article's imported comments, matched on `Comment.wordpress_id` so that
    importing the same rows again changes nothing.

    A new row is created in its thread (parents first), with depth and `is_listed` as
    for every comment. An existing comment only takes a new status, and only while nobody
    moderated it here: names, addresses, IPs and texts are never rewritten, so a reader's
    erasure and the metadata purge are not undone; the listing of its replies (readers'
    replies too) follows. Sends no signal: the caller announces its bulk write (the
    WordPress import sends articles.signals.bulk_content_changed once).
    """
    result = CommentsImported()
    by_id: dict[int, ImportedComment] = {}
    for row in rows:
        if row.wordpress_id in by_id:
            result.skipped += 1
        else:
            by_id[row.wordpress_id] = row
    existing = {c.wordpress_id: c for c in Comment.objects.filter(wordpress_id__in=by_id)}
    for wordpress_id, comment in list(existing.items()):
        if comment.article_id != article.pk:
            # Ids are unique within a site: the comment of another article stays, and
            # this row (two sites' exports mixed) is left out.
            del by_id[wordpress_id], existing[wordpress_id]
            result.skipped += 1
    if not by_id:
        return result
    parents = _parents_within(by_id, result)

    updated = [
        comment
        for wordpress_id, comment in existing.items()
        if comment.moderated_at is None and comment.status != by_id[wordpress_id].status
    ]
    if updated:
        for comment in updated:
            comment.status = by_id[comment.wordpress_id].status
        Comment.objects.bulk_update(updated, ["status"], batch_size=500)
        threads_refresh_listing(roots=updated)
        # New replies below them take their listing as it is now.
        listed = dict(
            Comment.objects.filter(pk__in=[c.pk for c in updated]).values_list("pk", "is_listed")
        )
        for comment in updated:
            comment.is_listed = listed[comment.pk]
    result.updated = len(updated)
    result.unchanged = len(existing) - len(updated)

    placed: dict[int, Comment] = dict(existing)
    for level in _levels(parents, result):
        to_create = []
        for wordpress_id in level:
            if wordpress_id in placed:
                continue
            row, parent_id = by_id[wordpress_id], parents[wordpress_id]
            parent = placed[parent_id] if parent_id is not None else None
            comment = Comment(
                article_id=article.pk,
                parent_id=parent.pk if parent else None,
                depth=thread_depth(parent=parent),
                is_listed=thread_listed(status=row.status, parent=parent),
                wordpress_id=wordpress_id,
                author_name=row.author_name,
                author_email=row.author_email,
                author_url=row.author_url,
                body=row.body,
                status=row.status,
                submitted_at=row.submitted_at,
                ip_address=row.ip_address,
            )
            to_create.append(comment)
            placed[wordpress_id] = comment
        Comment.objects.bulk_create(to_create, batch_size=500)
        if any(c.pk is None for c in to_create):  # a backend without RETURNING
            pks = dict(
                Comment.objects.filter(
                    wordpress_id__in=[c.wordpress_id for c in to_create]
                ).values_list("wordpress_id", "pk")
            )
            for comment in to_create:
                comment.pk = pks[comment.wordpress_id]
        result.created += len(to_create)
    if result.created or result.updated:
        approved = Comment.objects.filter(article_id=article.pk, status=Comment.Status.APPROVED)
        result.count_stale = approved.count() != article.comment_count
    return result


def _parents_within(
    rows: dict[int, ImportedComment], result: CommentsImported
) -> dict[int, int | None]:
    """Each row's parent among the rows. A parent that is not there (another article's,
    skipped, deleted) makes a top-level comment."""
    parents: dict[int, int | None] = {}
    for wordpress_id, row in rows.items():
        parent = row.parent_wordpress_id
        if parent is not None and (parent not in rows or parent == wordpress_id):
            result.orphans += 1
            parent = None
        parents[wordpress_id] = parent
    return parents


def _levels(parents: dict[int, int | None], result: CommentsImported) -> list[list[int]]:
    """The rows level by level from the top (each level in the rows' order), so parents
    are created before their replies. A loop of parents, which no row of it can climb out
    of, is cut where the climb from its first row comes back on itself: that row becomes
    top-level (`parents` is changed). Iterative: imported threads can be deeper than
    Python's recursion limit."""
    children: dict[int | None, list[int]] = {}
    for key, parent in parents.items():
        children.setdefault(parent, []).append(key)
    level_of: dict[int, int] = {}

    def descend(tops: list[int]) -> None:
        level, n = tops, 0
        while level:
            level_of.update(dict.fromkeys(level, n))
            level, n = [child for key in level for child in children.get(key, ())], n + 1

    descend(children.get(None, []))
    for start in parents:
        if start in level_of:
            continue
        seen, node = set(), start
        while node not in seen:
            seen.add(node)
            node = parents[node]
        children[parents[node]].remove(node)
        parents[node] = None
        result.loops_broken += 1
        descend([node])
    levels: dict[int, list[int]] = {}
    for key in parents:
        levels.setdefault(level_of[key], []).append(key)
    return [levels[n] for n in sorted(levels)]
