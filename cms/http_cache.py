"""Public response cache: invalidation entry points.

The write paths call these after their changes; the cache itself lives here too
(issue #5). Until then they are the hooks the services already call.
"""

from __future__ import annotations

from collections.abc import Iterable


def articles_changed() -> None:
    """An article, category, tag or author changed: every public article read may differ."""


def article_comments_changed(article_ids: Iterable[int]) -> None:
    """The public comments (or their counts, reactions, featured flags) of these
    articles changed."""
