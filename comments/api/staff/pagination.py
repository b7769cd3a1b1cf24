"""The audit trail's pages (a keyset cursor: comments.api.pagination)."""

from __future__ import annotations

from comments.api.pagination import KeysetCursorPagination


class ModerationActionCursorPagination(KeysetCursorPagination):
    """Newest first, by the full key (created_at, id): a bulk decision writes hundreds of
    rows with one timestamp, which DRF's own cursor (first field plus an offset, capped)
    would page through ever more slowly and, past its cap, wrongly. A page is "the next N
    rows after this key", a seek on the action_recent index whatever the ties. The cursor
    must name both the time and the id; anything that does not decode answers 404."""

    ordering = ("-created_at", "-id")  # comments.selectors.moderation_actions() orders so
    page_size = 50
    max_page_size = 200
    id_required = True
