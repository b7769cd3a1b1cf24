"""Steps that hold a comment for its links, or for the article's own pre-moderation."""

from __future__ import annotations

from comments.models import ReasonCode
from comments.moderation.lookups import link_count
from comments.moderation.pipeline import Submission, Verdict


def too_many_links(sub: Submission) -> Verdict | None:
    limit = sub.policy.hold_link_count
    if limit and link_count(sub) >= limit:
        return Verdict.hold(f"{limit} or more links", code=ReasonCode.LINKS)
    return None


def article_premoderate_links(sub: Submission) -> Verdict | None:
    """The article holds every comment with a link (Article.comments_premoderate_links)."""
    if getattr(sub.article, "comments_premoderate_links", False) and link_count(sub):
        return Verdict.hold("a link, on an article that pre-moderates links", code=ReasonCode.LINKS)
    return None


def article_premoderate(sub: Submission) -> Verdict | None:
    """The article holds every comment (Article.comments_premoderate)."""
    if getattr(sub.article, "comments_premoderate", False):
        return Verdict.hold("the article pre-moderates every comment", code=ReasonCode.OTHER)
    return None
