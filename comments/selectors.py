"""Read paths of the comments domain."""

from __future__ import annotations

from django.db.models import QuerySet

from articles.models import Article
from comments.models import Comment


def public_thread(*, article: Article) -> QuerySet[Comment]:
    """The comments the public sees on an article, oldest first (the cursor's order)."""
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
        )
        .order_by("submitted_at", "id")
    )


def moderation_queue() -> QuerySet[Comment]:
    """Every comment, newest first, with what the staff serializer reads."""
    return Comment.objects.select_related("article", "moderated_by").order_by(
        "-submitted_at", "-id"
    )


def pending_comment_count() -> int:
    return Comment.objects.filter(status=Comment.Status.PENDING).count()
