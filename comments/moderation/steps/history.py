"""Steps that decide by the commenter's record: held for a high rejection rate or as a
new commenter, approved as a known author; else the policy's default.

The record counts only when the submission proves its address (`email_proven`:
comments.commenter_proof). An unproven address is treated as one with no history:
held while approved comments are required, never approved for its past. So the
answer to a post (201 published, 202 held) says nothing about an address's comments.
"""

from __future__ import annotations

from comments.models import ReasonCode
from comments.moderation.lookups import commenter_history, is_new_commenter
from comments.moderation.pipeline import Submission, Verdict


def rejection_rate(sub: Submission) -> Verdict | None:
    """More than `rejection_rate_percent` % of the commenter's decided comments of the
    last `rejection_rate_window_days` days were rejected, out of at least
    `rejection_rate_min_comments`: held."""
    policy = sub.policy
    percent = policy.rejection_rate_percent
    if not percent or not sub.email_proven:
        return None
    history = commenter_history(sub)
    decided, rejected = history.recent_decided, history.recent_rejected
    if decided >= max(policy.rejection_rate_min_comments, 1) and rejected * 100 > percent * decided:
        return Verdict.hold(
            f"{rejected} of {decided} comments in the last {policy.rejection_rate_window_days} "
            f"days rejected (more than {percent} %)",
            code=ReasonCode.OTHER,
        )
    return None


def new_commenter(sub: Submission) -> Verdict | None:
    """Held until the email has `approved_comments_required` approved comments (0 = off;
    1 is WordPress's "comment author must have a previously approved comment")."""
    required = sub.policy.approved_comments_required
    if required and not sub.email_proven:
        return Verdict.hold(
            "address not confirmed: its earlier comments do not count",
            code=ReasonCode.NEW_COMMENTER,
        )
    if is_new_commenter(sub):
        approved = commenter_history(sub).approved
        return Verdict.hold(
            f"new commenter: {approved} of {required} approved comments",
            code=ReasonCode.NEW_COMMENTER,
        )
    return None


def known_author(sub: Submission) -> Verdict | None:
    """WordPress's "comment author must have a previously approved comment", with the
    policy's threshold: approved once the email has that many approved comments."""
    if not sub.policy.auto_approve_known_authors or not sub.email_proven:
        return None
    required = max(sub.policy.approved_comments_required, 1)
    if commenter_history(sub).approved >= required:
        return Verdict.approve("previously approved author")
    return None


def policy_default(sub: Submission) -> Verdict:
    return Verdict(status=sub.policy.default_status, reason="policy default")
