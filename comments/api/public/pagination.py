"""The public comment list's pages (a keyset cursor: comments.api.pagination)."""

from __future__ import annotations

from comments.api.pagination import KeysetCursorPagination


class CommentCursorPagination(KeysetCursorPagination):
    """The public comment list: 20 per page, at most 100, in the queryset's sort order
    (one of the public sort orders)."""

    page_size = 20
    max_page_size = 100
    ordering = ("submitted_at", "id")  # the default sort; each request uses its queryset's
