"""Write paths of moderation: a comment's status (one or many, with the audit trail) and
editors' picks. Used by the staff API, the admin, sanctions (a retroactive ban) and the
readers' own paths in comments.services (a withdrawal, reports past the threshold, an
edit judged again).

Invariants kept here, in transactions:
- `Article.comment_count` is the number of approved comments (F() increments under
  row locks, so concurrent moderations never lose an update);
- `Comment.is_listed` is "approved, and every ancestor listed", rewritten for the whole
  subtree whenever a status changes (comments.threads);
- every change to what the public sees is announced once per write
  (`public_comments_changed`, comments/signals.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from articles.models import Article
from comments import tasks
from comments.locking import locked
from comments.models import Comment, CommentFlag, ModerationAction, ReasonCode
from comments.signals import public_comments_changed
from comments.threads import threads_refresh_listing

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

STEP_MAX = 200  # ModerationAction.step and Comment.moderation_step

logger = logging.getLogger(__name__)


class AuditRecord(TypedDict, total=False):
    """What a status change records besides the status, all optional."""

    # The acting moderator; none (or anonymous) when code decided.
    moderator: AbstractBaseUser | AnonymousUser | None
    now: datetime | None
    reason: str  # a ReasonCode, or blank (a spam decision without one records `spam`)
    note: str  # free text for the audit row (staff only)
    step: str  # the dotted path of the code that decided, when it is not a moderator


def announce_public_comments_changed(*, article_ids: Iterable[int]) -> None:
    """Announce that what these articles' comment lists (or counts) show changed
    (comments/signals.py; the response cache listens in comments/cache.py). One signal
    per write, sent inside the transaction on purpose: the cache invalidates at once
    (reads in this transaction, and the test suite, which never commits) and again when
    the transaction commits (everyone else)."""
    ids = sorted(set(article_ids))
    if ids:
        public_comments_changed.send(sender=Comment, article_ids=ids)


def _reason_code(value: str) -> str:
    """A moderator's reason: blank or one of ReasonCode (a 400 naming `reason` otherwise)."""
    if value and value not in ReasonCode.values:
        raise ValidationError({"reason": [f'"{value}" is not a valid reason.']})
    return value


@transaction.atomic
def comments_moderate(
    *, ids: Iterable[int], status: str, **record: Unpack[AuditRecord]
) -> list[Comment]:
    """Set the status of the given comments in one transaction, with the audit trail.

    `record` says who or what decided and why (`AuditRecord`). Each comment whose status
    changes gets one ModerationAction row (actor: the moderator, or none) and its
    `moderation_step`/`moderation_reason`; leaving `approved` unfeatures it.

    Returns the comments whose status changed. The number of queries does not grow
    with the number of comments (it grows with the depth of the threads, bounded by
    the policy).
    """
    changed, affected = comments_moderate_quietly(ids=ids, status=status, **record)
    announce_public_comments_changed(article_ids=affected)
    return changed


def comments_moderate_quietly(
    *,
    ids: Iterable[int],
    status: str,
    moderator: AbstractBaseUser | AnonymousUser | None = None,
    now: datetime | None = None,
    reason: str = "",
    note: str = "",
    step: str = "",
) -> tuple[list[Comment], set[int]]:
    """comments_moderate without the announcement, for a caller that announces its own
    write once (comments.services.comment_edit): returns the changed comments and the
    ids of the articles whose public list or count changed."""
    if status not in Comment.Status.values:
        raise ValidationError({"status": [f'"{status}" is not a valid status.']})
    reason = _reason_code(reason)
    if not reason and status == Comment.Status.SPAM:
        reason = ReasonCode.SPAM
    step = step[:STEP_MAX]
    now = now or timezone.now()
    # Lock in primary-key order so two bulk moderations cannot deadlock.
    rows = list(
        locked(Comment.objects)
        .filter(pk__in=list(ids))
        .order_by("pk")
        .only("id", "status", "article_id", "parent_id", "depth", "is_listed")
    )
    changed = [comment for comment in rows if comment.status != status]
    if not changed:
        return [], set()
    acting_moderator = moderator if moderator is not None and moderator.is_authenticated else None
    changed_ids = [c.pk for c in changed]
    fields = {
        "status": status,
        "moderated_by": acting_moderator,
        "moderated_at": now,
        "moderation_step": step,
        "moderation_reason": reason,
    }
    if status != Comment.Status.APPROVED:
        # An editor's pick is only ever an approved comment.
        fields.update(featured=False, featured_at=None)
    elif acting_moderator is not None:
        # A moderator's approval answers the reports so far; only new ones count again.
        CommentFlag.objects.filter(comment_id__in=changed_ids).delete()
        fields["flag_count"] = 0
    Comment.objects.filter(pk__in=changed_ids).update(**fields)
    decision = {
        "to_status": status,
        "actor": acting_moderator,
        "reason": reason,
        "step": step,
        "note": note,
        "created_at": now,
    }
    # One row per changed comment, in one statement (SQLite splits very large batches).
    ModerationAction.objects.bulk_create(
        [
            ModerationAction(comment_id=comment.pk, from_status=comment.status, **decision)
            for comment in changed
        ]
    )
    deltas: dict[int, int] = {}
    for comment in changed:
        delta = (status == Comment.Status.APPROVED) - (comment.status == Comment.Status.APPROVED)
        if delta:
            deltas[comment.article_id] = deltas.get(comment.article_id, 0) + delta
        comment.status = status
    _apply_comment_count_deltas(deltas, now=now)
    relisted = threads_refresh_listing(roots=changed)
    if status == Comment.Status.APPROVED:
        tasks.enqueue_after_commit(tasks.notify_approved_comments, changed_ids)
    return changed, {article_id for article_id, delta in deltas.items() if delta} | relisted


def comment_moderate(*, comment: Comment, status: str, **record: Unpack[AuditRecord]) -> Comment:
    """comments_moderate for one comment; returns it as it is now."""
    comments_moderate(ids=[comment.pk], status=status, **record)
    comment.refresh_from_db()
    return comment


def _apply_comment_count_deltas(deltas: dict[int, int], *, now: datetime) -> None:
    deltas = {article_id: delta for article_id, delta in deltas.items() if delta}
    if not deltas:
        return
    change = Case(
        *[When(pk=article_id, then=Value(delta)) for article_id, delta in deltas.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    Article.objects.filter(pk__in=deltas).update(
        comment_count=F("comment_count") + change, comments_changed_at=now
    )


# --- editors' picks ---------------------------------------------------------------------


@transaction.atomic
def comment_feature(
    *,
    comment: Comment,
    by: AbstractBaseUser | AnonymousUser | None = None,
    now: datetime | None = None,
) -> Comment:
    """Make an approved comment an editor's pick. Featuring one already featured keeps
    its first `featured_at`. Raises ValidationError (`featured`) for any other status."""
    rows = locked(Comment.objects).only("id", "status", "featured", "is_listed", "article_id")
    current = rows.get(pk=comment.pk)
    if current.status != Comment.Status.APPROVED:
        raise ValidationError({"featured": ["Only an approved comment can be featured."]})
    if not current.featured:
        _set_featured(current, featured_at=now or timezone.now(), by=by)
    comment.refresh_from_db()
    return comment


@transaction.atomic
def comment_unfeature(
    *, comment: Comment, by: AbstractBaseUser | AnonymousUser | None = None
) -> Comment:
    """No longer an editor's pick (whatever the comment's status; idempotent)."""
    current = locked(Comment.objects).only("id", "featured", "is_listed", "article_id")
    current = current.get(pk=comment.pk)
    if current.featured:
        _set_featured(current, featured_at=None, by=by)
    comment.refresh_from_db()
    return comment


def _set_featured(
    current: Comment, *, featured_at: datetime | None, by: AbstractBaseUser | AnonymousUser | None
) -> None:
    """Make `current` an editor's pick since `featured_at`, or none (None); log who (the
    model does not store it) and announce it when the public sees the comment."""
    featured = featured_at is not None
    Comment.objects.filter(pk=current.pk).update(featured=featured, featured_at=featured_at)
    change = "featured" if featured else "unfeatured"
    logger.info("Comment %s %s by user %s", current.pk, change, getattr(by, "pk", None))
    if current.is_listed:
        announce_public_comments_changed(article_ids=[current.article_id])
