"""Recognising an item again when the export gives it no WordPress id.

Rows are matched on the WordPress ids stored with them (`wordpress_id`), so that
importing the same file twice changes nothing. Exports made by other tools, or trimmed by
hand, may leave out `wp:post_id` or `wp:comment_id`; such an item gets an id **derived**
from what does identify it, stored in the same column:

- a post or attachment: its `guid` (WordPress's permanent identifier of a post), else its
  `link`, else its title with its date (what WordPress's own importer compares to find a
  post it already has). Two items of one file never share a derived id: an item whose
  guid an earlier item has (a duplicated post keeps its guid) is known by its link
  instead, and so on; one whose guid, link, title and date all are an earlier item's is
  a duplicate, and skipped. The first item, in file order, keeps the guid.
- a comment: its post's id (real or derived) with the comment's author and date (what
  WordPress's importer compares), or its text when it has no date.

A derived id is a 62-bit hash of that text, plus 2**62: it is the same on every import of
the file, and it never meets a real WordPress id (auto-increment numbers, far below that).
docs/wordpress-import.md says why this rather than a column for the guid.
"""

from __future__ import annotations

import hashlib

from articles.wordpress.reading import WxrComment, WxrPost

DERIVED_ID_FLOOR = 2**62


def derived_id(key: str) -> int:
    """A stable id for `key`, in [2**62, 2**63): fits a PositiveBigIntegerField and is
    never a real WordPress id."""
    digest = hashlib.sha256(key.encode()).digest()
    return DERIVED_ID_FLOOR + int.from_bytes(digest[:8], "big") % DERIVED_ID_FLOOR


class ItemIds:
    """The WordPress id of each item of one import: its `wp:post_id`, else a derived id
    (see the module's docstring), each derived id given to one item only."""

    def __init__(self) -> None:
        self._taken: set[int] = set()

    def post_id(self, post: WxrPost, *, kind: str) -> int | None:
        """`post.post_id`, or an id derived from its guid, link, or title and date: the
        first of them that no earlier item of `kind` ("article", "image") has. None when
        it has none of its own (a duplicate of an earlier item: WordPress's importer
        skips a post with the title and date of one it has)."""
        if post.post_id is not None:
            return post.post_id
        title = post.title.strip()
        keys = [
            derived_id(f"{kind} {name} {value}")
            for name, value in (
                ("guid", post.guid),
                ("link", post.link),
                ("title", f"{title} {post.post_date or post.pub_date}" if title else ""),
            )
            if value
        ]
        free = [key for key in keys if key not in self._taken]
        # All of them are this item's now: a later item with the same guid is known by
        # its link, and one with the same guid, link, title and date is a duplicate.
        self._taken.update(keys)
        return free[0] if free else None


def comment_id(comment: WxrComment, *, post_wordpress_id: int) -> int:
    """`comment.comment_id`, or an id derived from its post, author and date."""
    if comment.comment_id is not None:
        return comment.comment_id
    dates = (comment.date_gmt, comment.date)
    when = next((d for d in dates if d and not d.startswith("0000")), "")
    return derived_id(
        f"comment {post_wordpress_id} {comment.author.strip()} "
        + (when or f"text {comment.content.strip()}")
    )
