"""What the steps look up about a submission, once per submission: steps that need the
same rows share them through `Submission.memo` (the commenter's active sanctions: one
query; their history, flood and duplicate checks: one aggregate query), whichever step asks first, and
comment_create reads them again for free."""

from __future__ import annotations

from datetime import timedelta

from comments import selectors, wordlist
from comments.models import CommenterSanction
from comments.moderation.pipeline import Submission
from comments.rendering import count_links
from comments.sanction_presence import sanctions_may_apply
from comments.selectors import CommenterHistory, PostingFacts


def active_sanctions(sub: Submission) -> list[CommenterSanction]:
    """The sanctions in force now on the submission's email, email domain or IP, the
    strongest first (ban, suspension, pre-moderation). One indexed query, memoized."""
    if "sanctions" not in sub.memo:
        sub.memo["sanctions"] = (
            selectors.sanctions_in_force_on(
                email=sub.author_email, ip_address=sub.ip_address, now=sub.now
            )
            if sanctions_may_apply(now=sub.now)
            else []
        )
    return sub.memo["sanctions"]


def posting_facts(sub: Submission) -> PostingFacts:
    """The address's history, its (or the IP's) latest comment inside the flood
    interval, and whether it said the same already: one aggregate query, memoized,
    whichever step asks first. An edit asks only for the history."""
    if "facts" not in sub.memo:
        posting = sub.editing_comment_id is None
        interval = sub.policy.flood_interval_seconds
        sub.memo["facts"] = selectors.posting_facts(
            email=sub.author_email,
            policy=sub.policy,
            now=sub.now,
            ip_address=sub.ip_address,
            flood_since=sub.now - timedelta(seconds=interval) if posting and interval > 0 else None,
            same_words={
                "article": sub.article,
                "parent_id": sub.parent_id,
                "author_name": sub.author_name,
                "body": sub.body,
            }
            if posting
            else None,
            excluding_comment_id=sub.editing_comment_id,
        )
    return sub.memo["facts"]


def commenter_history(sub: Submission) -> CommenterHistory:
    """The commenter's approved and recently rejected comments (from posting_facts);
    the comment being edited is left out."""
    return posting_facts(sub).history


def is_new_commenter(sub: Submission) -> bool:
    """Fewer approved comments than the policy asks for (never, when it asks for none)."""
    required = sub.policy.approved_comments_required
    return bool(required) and commenter_history(sub).approved < required


def link_count(sub: Submission) -> int:
    """The links in the body, counted once per submission."""
    if "link_count" not in sub.memo:
        sub.memo["link_count"] = count_links(sub.body)
    return sub.memo["link_count"]


def words(sub: Submission) -> tuple[list[str], list[str]]:
    """The body's and the name's words, normalized, cut once for both word lists."""
    if "words" not in sub.memo:
        sub.memo["words"] = (wordlist.words(sub.body), wordlist.words(sub.author_name))
    return sub.memo["words"]
