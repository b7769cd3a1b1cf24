"""The moderation pipeline: small ordered steps, each a function testable alone.

A step receives the `Submission` and returns `None` (no opinion: next step) or a
`Verdict`. The first verdict wins. A verdict either refuses the comment (`reject`:
closed 403, flood 429, duplicate 409; nothing is stored) or decides the status it is
stored with (`spam`, `pending`, `approved`).

The order is DESIGN.md's:

    closed → flood → duplicate → honeypot / blocklist (spam)
    → moderation keywords / too many links (pending) → known author (approved)
    → the policy's default

`settings.COMMENTS_MODERATION_PIPELINE` lists the steps by dotted path, like Django's
MIDDLEWARE; site owners put their own steps in it (an Akismet check, say) without
editing the project. `COMMENTS_EXTRA_MODERATION_STEPS` (environment, comma-separated)
inserts steps just before the known-author approval. See docs/comments.md.

A step that raises is logged and the comment is held as pending: a broken plug-in
never loses a comment nor turns into a server error.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import transaction
from django.db.models import Q
from django.utils.module_loading import import_string

from comments.models import Comment, ModerationPolicy, ReasonCode
from comments.rendering import count_links

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
    # When an author edits a comment: that comment, which the checks must not count.
    editing_comment_id: int | None = None


@dataclass(frozen=True)
class Verdict:
    status: str | None = None  # a Comment.Status for stored comments
    reject: str | None = None  # "closed", "flood" or "duplicate": refused, not stored
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


# --- refusals ---------------------------------------------------------------------


def comments_closed(sub: Submission) -> Verdict | None:
    """Site-wide closed, closed on the article, or the article is older than N days."""
    if not comments_open_for(sub.article, sub.policy, now=sub.now):
        return Verdict(reject="closed", reason="Comments are closed on this article.")
    return None


def flood(sub: Submission) -> Verdict | None:
    """A comment from the same IP or the same email within the flood interval.

    The database answers for comments already stored; an atomic cache `add` closes
    the window between two simultaneous requests from one client (and when the cache
    is down, the database check still holds).
    """
    interval = sub.policy.flood_interval_seconds
    if interval <= 0:
        return None
    since = sub.now - timedelta(seconds=interval)
    same_client = Q(author_email=sub.author_email)
    if sub.ip_address:
        same_client |= Q(ip_address=sub.ip_address)
    last = (
        Comment.objects.filter(same_client, submitted_at__gt=since)
        .order_by("-submitted_at")
        .values_list("submitted_at", flat=True)
        .first()
    )
    if last is not None:
        wait = interval - int((sub.now - last).total_seconds())
        return Verdict(
            reject="flood", reason="You are commenting too fast.", retry_after=max(wait, 1)
        )
    for key in _flood_keys(sub):
        # False means the key exists: another request got there first. With Redis down
        # (django-redis IGNORE_EXCEPTIONS) `add` answers None: the database check above
        # still holds, and posting must not stop because the cache did.
        added = django_cache.add(key, 1, timeout=interval)
        if added is False:
            return Verdict(
                reject="flood", reason="You are commenting too fast.", retry_after=interval
            )
        if added is None:
            # The cache is failing: a hung Redis costs a socket timeout per call, so do
            # not wait for it a second time on the next key.
            break
    return None


def _flood_keys(sub: Submission) -> list[str]:
    keys = [f"comments:flood:email:{sub.author_email}"]
    if sub.ip_address:
        keys.append(f"comments:flood:ip:{sub.ip_address}")
    return keys


def duplicate(sub: Submission) -> Verdict | None:
    """The same article, parent, name, email and body, at any age, not removed."""
    exists = (
        Comment.objects.filter(
            article=sub.article,
            parent_id=sub.parent_id,
            author_email=sub.author_email,
            author_name=sub.author_name,
            body=sub.body,
        )
        .exclude(status=Comment.Status.REMOVED)
        .exists()
    )
    if exists:
        return Verdict(reject="duplicate", reason="You have already said that.")
    return None


# --- spam --------------------------------------------------------------------------


def honeypot(sub: Submission) -> Verdict | None:
    """The hidden form field people never see, and bots fill in."""
    if sub.honeypot.strip():
        return Verdict.spam("honeypot field filled")
    return None


def blocklist(sub: Submission) -> Verdict | None:
    """Keywords in any field (WordPress's Disallowed Comment Keys), addresses, domains, IPs."""
    policy = sub.policy
    if sub.author_email in policy.blocklist_email_list:
        return Verdict.spam("blocklisted email")
    domain = sub.author_email.rpartition("@")[2]
    for blocked in policy.blocklist_domain_list:
        if domain == blocked or domain.endswith("." + blocked):
            return Verdict.spam("blocklisted email domain")
    if sub.ip_address and _ip_blocked(sub.ip_address, policy.blocklist_ip_list):
        return Verdict.spam("blocklisted IP address")
    keyword = _first_keyword(policy.blocklist_keyword_list, _all_fields(sub))
    if keyword is not None:
        return Verdict.spam("blocklisted keyword")
    return None


def _ip_blocked(ip: str, entries: list[str]) -> bool:
    address = ipaddress.ip_address(ip)
    for entry in entries:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue  # a malformed line in the policy blocks nothing
    return False


def _all_fields(sub: Submission) -> list[str]:
    return [
        sub.author_name,
        sub.author_email,
        sub.author_url,
        sub.body,
        sub.ip_address or "",
        sub.user_agent,
    ]


@cache
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern:
    # One alternation of escaped literals: linear in the text, no backtracking blow-up.
    return re.compile("|".join(re.escape(k) for k in keywords), re.IGNORECASE)


def _first_keyword(keywords: list[str], texts: list[str]) -> str | None:
    if not keywords:
        return None
    pattern = _keyword_pattern(tuple(sorted(set(keywords))))
    for text in texts:
        match = pattern.search(text)
        if match:
            return match.group(0)
    return None


# --- hold --------------------------------------------------------------------------


def moderation_keywords(sub: Submission) -> Verdict | None:
    if _first_keyword(sub.policy.moderation_keyword_list, _all_fields(sub)) is not None:
        return Verdict.hold("moderation keyword", code=ReasonCode.BANNED_WORD)
    return None


def too_many_links(sub: Submission) -> Verdict | None:
    limit = sub.policy.hold_link_count
    if limit and count_links(sub.body) >= limit:
        return Verdict.hold(f"{limit} or more links", code=ReasonCode.LINKS)
    return None


# --- approve -----------------------------------------------------------------------


def known_author(sub: Submission) -> Verdict | None:
    """WordPress's "comment author must have a previously approved comment"."""
    if not sub.policy.auto_approve_known_authors:
        return None
    previous = Comment.objects.filter(author_email=sub.author_email, status=Comment.Status.APPROVED)
    if sub.editing_comment_id is not None:
        previous = previous.exclude(pk=sub.editing_comment_id)
    if previous.exists():
        return Verdict.approve("previously approved author")
    return None


def policy_default(sub: Submission) -> Verdict:
    return Verdict(status=sub.policy.default_status, reason="policy default")


DEFAULT_PIPELINE = [
    "comments.moderation.comments_closed",
    "comments.moderation.flood",
    "comments.moderation.duplicate",
    "comments.moderation.honeypot",
    "comments.moderation.blocklist",
    "comments.moderation.moderation_keywords",
    "comments.moderation.too_many_links",
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
        # One savepoint around the steps: a step whose query fails (which aborts the
        # whole transaction on PostgreSQL) must not take the comment's insert with it.
        with transaction.atomic():
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


def comments_open_for(article, policy: ModerationPolicy, now: datetime) -> bool:
    """Whether readers may comment on `article` now."""
    if not policy.comments_open or not article.comments_enabled:
        return False
    if policy.close_after_days and article.published_at:
        return now < article.published_at + timedelta(days=policy.close_after_days)
    return True
