"""The pipeline's runner: what a step receives (`Submission`), what it answers
(`Verdict`), the steps in order (`DEFAULT_PIPELINE`, extendable by setting) and
`run_pipeline`, where the first verdict wins. The steps live in comments.moderation.steps;
the package comments.moderation names them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from comments.models import Comment, ModerationPolicy, ReasonCode

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    """Everything the pipeline may look at. Built by comments.services.comment_create."""

    article: object  # articles.models.Article
    policy: ModerationPolicy
    author_name: str
    author_email: str
    author_url: str
    body: str
    now: datetime
    parent_id: int | None = None
    ip_address: str | None = None
    user_agent: str = ""
    honeypot: str = ""
    user: object | None = None
    # Whether the request proved it speaks for author_email (comments.commenter_proof):
    # only then does the address's history count, so nobody learns it by posting.
    email_proven: bool = False
    # When an author edits a comment: that comment, which the checks must not count.
    editing_comment_id: int | None = None
    # What the steps looked up (sanctions, history, link count), shared between steps
    # and with comment_create so each lookup runs once per submission.
    memo: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Verdict:
    status: str | None = None  # a Comment.Status for stored comments
    # "closed", "flood", "duplicate" or "suspended": refused, not stored
    reject: str | None = None
    reason: str = ""  # words for people: the refusal message, or the audit note
    step: str = ""
    retry_after: int | None = None
    code: str = ""  # a comments.models.ReasonCode for the audit trail ("" for approvals)

    @classmethod
    def spam(cls, reason: str, code: str = ReasonCode.SPAM) -> Verdict:
        return cls(status=Comment.Status.SPAM, reason=reason, code=code)

    @classmethod
    def hold(cls, reason: str, code: str = ReasonCode.OTHER) -> Verdict:
        return cls(status=Comment.Status.PENDING, reason=reason, code=code)

    @classmethod
    def approve(cls, reason: str) -> Verdict:
        return cls(status=Comment.Status.APPROVED, reason=reason)


Step = Callable[[Submission], Verdict | None]


# The identifiers are stored (Comment.moderation_step, ModerationAction.step) and named in
# settings: they stay these paths wherever the functions are written.
DEFAULT_PIPELINE = [
    "comments.moderation.comments_closed",
    "comments.moderation.flood",
    "comments.moderation.duplicate",
    "comments.moderation.honeypot",
    "comments.moderation.sanctions",
    "comments.moderation.blocklist",
    "comments.moderation.banned_words",
    "comments.moderation.suspect_words",
    "comments.moderation.moderation_keywords",
    "comments.moderation.too_many_links",
    "comments.moderation.article_premoderate_links",
    "comments.moderation.article_premoderate",
    "comments.moderation.commenter_premoderated",
    "comments.moderation.rejection_rate",
    "comments.moderation.new_commenter",
    "comments.moderation.known_author",
    "comments.moderation.policy_default",
]


def pipeline_steps() -> list[tuple[str, Step]]:
    paths = list(getattr(settings, "COMMENTS_MODERATION_PIPELINE", None) or DEFAULT_PIPELINE)
    extra = list(getattr(settings, "COMMENTS_EXTRA_MODERATION_STEPS", []) or [])
    if extra:
        anchor = "comments.moderation.known_author"
        index = paths.index(anchor) if anchor in paths else len(paths)
        paths[index:index] = extra
    return [(path, _import_step(path)) for path in paths]


@cache
def _import_step(path: str) -> Step:
    return import_string(path)


def run_pipeline(sub: Submission, steps: list[tuple[str, Step]] | None = None) -> Verdict:
    """Run the steps in order; the first verdict wins."""
    steps = steps if steps is not None else pipeline_steps()
    path = ""
    try:
        # Inside a transaction (an author's edit), one savepoint around the steps: a step
        # whose query fails (which aborts the whole transaction on PostgreSQL) must not
        # take the caller's writes with it. A new comment's steps run before its write
        # transaction opens, where a failed query takes nothing with it.
        in_transaction = transaction.get_connection().in_atomic_block
        with transaction.atomic() if in_transaction else nullcontext():
            for path, step in steps:
                verdict = step(sub)
                if verdict is not None:
                    return Verdict(
                        status=verdict.status,
                        reject=verdict.reject,
                        reason=verdict.reason,
                        step=path,
                        retry_after=verdict.retry_after,
                        code=verdict.code,
                    )
    except Exception:
        logger.exception("Moderation step %s failed; holding the comment for review", path)
        return Verdict(status=Comment.Status.PENDING, reason="moderation step failed", step=path)
    return Verdict(status=sub.policy.default_status, reason="policy default", step="")
