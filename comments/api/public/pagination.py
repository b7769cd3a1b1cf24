"""The public comment list's pages (a keyset cursor: comments.api.pagination)."""

from __future__ import annotations

from rest_framework.response import Response

from comments.api.pagination import KeysetCursorPagination


class CommentCursorPagination(KeysetCursorPagination):
    """The public comment list: 20 per page, at most 100, in the queryset's sort order
    (one of the public sort orders)."""

    page_size = 20
    max_page_size = 100
    ordering = ("submitted_at", "id")  # the default sort; each request uses its queryset's

    def paginate_queryset(self, queryset, request, view=None):
        # The thread's total is its article's stored count (no COUNT per request).
        self.comment_count = view.article.comment_count if view is not None else None
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "comment_count": self.comment_count,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["comment_count"] = {
            "type": "integer",
            "description": (
                "Approved comments on the article: its `comment_count`, kept by every "
                "moderation change. A reply to a comment that is not approved counts but "
                "is not listed, so the pages may hold a few fewer."
            ),
        }
        paginated["required"] = [*paginated.get("required", []), "comment_count"]
        return paginated
