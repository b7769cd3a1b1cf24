"""Read paths of the comments domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet

from articles.models import Article
from comments.matching import email_domain_candidates, ip_network_candidates
from comments.models import (
    Comment,
    Commenter,
    CommenterSanction,
    ModerationAction,
    ModerationPolicy,
)
from comments.posting_sql import posting_counts


def comments_open_for(*, article: Article, policy: ModerationPolicy, now: datetime) -> bool:
    """Whether readers may comment on `article` now: open site-wide and on the article,
    and the article is not older than the policy's `close_after_days`."""
    if not policy.comments_open or not article.comments_enabled:
        return False
    if policy.close_after_days and article.published_at:
        return now < article.published_at + timedelta(days=policy.close_after_days)
    return True


# The public sort orders of an article's comments. Each ends in (submitted_at, id), so it
# is a total order a keyset cursor can resume from, and each is an index on listed
# comments: comment_listed_thread (scanned backwards for `newest`),
# comment_listed_reactions and comment_listed_featured.
PUBLIC_THREAD_ORDERINGS: dict[str, tuple[str, ...]] = {
    "oldest": ("submitted_at", "id"),
    "newest": ("-submitted_at", "-id"),
    "most_reactions": ("-reaction_count", "submitted_at", "id"),
    "featured_first": ("-featured", "submitted_at", "id"),
}
DEFAULT_PUBLIC_SORT = "oldest"


def public_thread(*, article: Article, sort: str = DEFAULT_PUBLIC_SORT) -> QuerySet[Comment]:
    """The comments the public sees on an article, in one of PUBLIC_THREAD_ORDERINGS
    (the cursor's order); oldest first by default."""
    return (
        Comment.objects.listed()
        .filter(article=article)
        .only(
            "id",
            "parent_id",
            "author_name",
            "author_url",
            "body",
            "submitted_at",
            "depth",
            "article_id",
            "featured",
            "reaction_count",
        )
        .order_by(*PUBLIC_THREAD_ORDERINGS[sort])
    )


# The staff queue's orders. `priority` is the index comment_pending_priority (on pending
# comments): most reader reports, most links, new commenters first, then oldest.
MODERATION_ORDERINGS: dict[str, tuple[str, ...]] = {
    "newest": ("-submitted_at", "-id"),
    "oldest": ("submitted_at", "id"),
    "priority": ("-flag_count", "-link_count", "-new_commenter", "submitted_at", "id"),
}


# Recorded `step`s of status changes that are not pipeline steps (stored identifiers).
FLAG_STEP = "comments.services.comment_flag"  # readers' reports reached the threshold
EDIT_STEP = "comments.services.comment_edit"  # the author edited the words


def comment_last_human_decision(*, comment_id: int) -> str | None:
    """The status a moderator or the readers' reports last gave the comment (None if
    only the pipeline has decided): what an edit may not make more lenient."""
    return (
        ModerationAction.objects.filter(comment_id=comment_id)
        .filter(Q(actor__isnull=False) | Q(step=FLAG_STEP))
        .order_by("-created_at", "-id")
        .values_list("to_status", flat=True)
        .first()
    )


def moderation_queue() -> QuerySet[Comment]:
    """Every comment, newest first, with what the staff serializer reads."""
    return Comment.objects.select_related("article", "moderated_by").order_by(
        *MODERATION_ORDERINGS["newest"]
    )


def moderation_actions() -> QuerySet[ModerationAction]:
    """The audit trail, newest first, with what the staff serializer reads (one query)."""
    return (
        ModerationAction.objects.select_related("actor", "comment__article")
        .only(
            "id",
            "comment_id",
            "comment__article__slug",
            "from_status",
            "to_status",
            "actor__username",
            "reason",
            "step",
            "note",
            "created_at",
        )
        .order_by("-created_at", "-id")
    )


def pending_comment_count() -> int:
    return Comment.objects.filter(status=Comment.Status.PENDING).count()


# --- sanctions and commenters (staff and the moderation pipeline) -------------------


def sanctions_in_force(*, now: datetime) -> QuerySet[CommenterSanction]:
    """Sanctions in force at `now`: not lifted, started, and not yet ended."""
    return CommenterSanction.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now), lifted_at__isnull=True, starts_at__lte=now
    )


SANCTIONS_READ_MAX = 50
_SANCTION_PRIORITY = {
    CommenterSanction.Kind.BAN: 0,
    CommenterSanction.Kind.SUSPENSION: 1,
    CommenterSanction.Kind.PREMODERATE: 2,
}


def sanctions_in_force_on(
    *, email: str, ip_address: str | None, now: datetime
) -> list[CommenterSanction]:
    """The sanctions in force at `now` on an email address, its domain (or a parent
    domain) or an IP address (or a network holding it), the strongest first (ban,
    suspension, pre-moderation). One indexed query."""
    target = Q(commenter__in=Commenter.objects.filter(email=email).values("pk"))
    domains = email_domain_candidates(email)
    if domains:
        target |= Q(email_domain__in=domains)
    networks = ip_network_candidates(ip_address)
    if networks:
        target |= Q(ip_network__in=networks)
    rows = (
        sanctions_in_force(now=now)
        .filter(target)
        # Capped; should more ever match one comment, "ban" sorts first anyway.
        .order_by("kind", "id")
        .only("id", "kind", "message", "ends_at", "commenter_id", "ip_network", "email_domain")
    )
    found = list(rows[:SANCTIONS_READ_MAX])
    found.sort(key=lambda s: (_SANCTION_PRIORITY.get(s.kind, 9), s.pk))
    return found


@dataclass(frozen=True)
class CommenterHistory:
    """What the history rules need about an email address."""

    approved: int  # approved comments, at any age
    recent_decided: int  # in the rejection-rate window: approved or rejected
    recent_rejected: int  # in the rejection-rate window: spam, or removed by a moderator


@dataclass(frozen=True)
class PostingFacts:
    """Everything the pipeline asks the comment table about one submission, from one
    aggregate query (comments.moderation.lookups memoizes it per submission)."""

    history: CommenterHistory
    # The latest comment from the address or the IP inside the flood interval, if any.
    last_post_at: datetime | None
    # The same article, parent, name, address and body, at any age, not removed.
    duplicate: bool


def posting_facts(
    *,
    email: str,
    policy: ModerationPolicy,
    now: datetime,
    ip_address: str | None = None,
    flood_since: datetime | None = None,
    same_words: dict | None = None,
    excluding_comment_id: int | None = None,
) -> PostingFacts:
    """One aggregate over the address's comments (index comment_email_recent) and, for
    the flood check, the IP's comments since `flood_since` (comment_ip_recent).

    History leaves out `excluding_comment_id` (a comment being edited). Pending
    comments are not decided yet and a reader's own withdrawal (removed with no
    moderator) is not a rejection, so neither counts in the rejected share.
    `same_words` (article, parent_id, author_name, body) asks for a duplicate too.
    """
    approved, decided, rejected, last_post_at, duplicates = posting_counts(
        email=email,
        since=now - timedelta(days=max(policy.rejection_rate_window_days, 1)),
        now=now,
        excluding_comment_id=excluding_comment_id,
        flood_since=flood_since,
        ip_address=ip_address,
        same_words=same_words,
    )
    return PostingFacts(
        history=CommenterHistory(
            approved=approved, recent_decided=decided, recent_rejected=rejected
        ),
        last_post_at=last_post_at,
        duplicate=bool(duplicates),
    )


def commenter_comment_counts(*, email: str) -> dict[str, int]:
    """The address's comments by status (statuses it has none of are left out)."""
    return dict(
        Comment.objects.filter(author_email=email)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )


def commenter_latest_comments(*, email: str, limit: int) -> QuerySet[Comment]:
    """The address's latest comments, newest first, with their article's title."""
    return (
        Comment.objects.filter(author_email=email)
        .select_related("article")
        .only("id", "body", "status", "submitted_at", "article__title", "article__id")
        .order_by("-submitted_at", "-id")[:limit]
    )
