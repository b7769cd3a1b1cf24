"""Read paths of the comments domain."""

from __future__ import annotations

from django.db.models import QuerySet

from articles.models import Article
from comments.models import Comment, ModerationAction

# The public sort orders of an article's comments. Each ends in (submitted_at, id), so it
# is a total order a keyset cursor can resume from, and each is an index on listed
# comments: comment_listed_thread (scanned backwards for `newest`),
# comment_listed_reactions and comment_listed_featured.
PUBLIC_THREAD_ORDERINGS: dict[str, tuple[str, ...]] = {
    "oldest": ("submitted_at", "id"),
    "newest": ("-submitted_at", "-id"),
    "most_reactions": ("-reaction_count", "submitted_at", "id"),
    "featured_first": ("-featured", "submitted_at", "id"),
}
DEFAULT_PUBLIC_SORT = "oldest"


def public_thread(*, article: Article, sort: str = DEFAULT_PUBLIC_SORT) -> QuerySet[Comment]:
    """The comments the public sees on an article, in one of PUBLIC_THREAD_ORDERINGS
    (the cursor's order); oldest first by default."""
    return (
        Comment.objects.listed()
        .filter(article=article)
        .only(
            "id",
            "parent_id",
            "author_name",
            "author_url",
            "body",
            "submitted_at",
            "depth",
            "article_id",
            "featured",
            "reaction_count",
        )
        .order_by(*PUBLIC_THREAD_ORDERINGS[sort])
    )


# The staff queue's orders. `priority` is the index comment_pending_priority (on pending
# comments): most reader reports, most links, new commenters first, then oldest.
MODERATION_ORDERINGS: dict[str, tuple[str, ...]] = {
    "newest": ("-submitted_at", "-id"),
    "oldest": ("submitted_at", "id"),
    "priority": ("-flag_count", "-link_count", "-new_commenter", "submitted_at", "id"),
}


def moderation_queue() -> QuerySet[Comment]:
    """Every comment, newest first, with what the staff serializer reads."""
    return Comment.objects.select_related("article", "moderated_by").order_by(
        *MODERATION_ORDERINGS["newest"]
    )


def moderation_actions() -> QuerySet[ModerationAction]:
    """The audit trail, newest first, with what the staff serializer reads (one query)."""
    return (
        ModerationAction.objects.select_related("actor", "comment__article")
        .only(
            "id",
            "comment_id",
            "comment__article__slug",
            "from_status",
            "to_status",
            "actor__username",
            "reason",
            "step",
            "note",
            "created_at",
        )
        .order_by("-created_at", "-id")
    )


def pending_comment_count() -> int:
    return Comment.objects.filter(status=Comment.Status.PENDING).count()
