"""Write paths of readers' comments: posting, editing and withdrawing one, reporting
one, unsubscribing from reply emails; and the articles' comment counts after hard
deletes. Moderation (a status, editors' picks) is comments.moderating.

Invariants kept here, in transactions:
- `Article.comment_count` is the number of approved comments (F() increments under
  row locks, so concurrent posts and moderation never lose an update);
- a new comment's `depth` and `is_listed` follow its parent (comments.threads).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.models import Article
from comments import moderation, tasks
from comments.commenter_proof import address_proven
from comments.edit_tokens import edit_key_hash, edit_token
from comments.locking import locked
from comments.matching import normalize_email
from comments.models import (
    Comment,
    Commenter,
    CommentFlag,
    ModerationAction,
    ModerationPolicy,
    ReasonCode,
)
from comments.moderating import (
    STEP_MAX,
    announce_public_comments_changed,
    comments_moderate,
    comments_moderate_quietly,
)
from comments.moderation import Submission, Verdict, pipeline_steps, run_pipeline
from comments.moderation.steps.gates import flood_gates_release
from comments.selectors import EDIT_STEP, FLAG_STEP, comment_last_human_decision
from comments.signals import public_comments_changed
from comments.threads import thread_depth, thread_listed

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

USER_AGENT_MAX = 512


def _verdict_code(verdict: Verdict) -> str:
    """The pipeline's reason code for the audit trail. A plug-in step that invents a code
    is recorded as `other` rather than storing a value no filter knows."""
    if verdict.code in ReasonCode.values:
        return verdict.code
    if verdict.status == Comment.Status.SPAM:
        return ReasonCode.SPAM
    return ReasonCode.OTHER if verdict.code else ""


class CommentRefused(Exception):
    """The pipeline refused the comment (closed, flood, duplicate or suspended); nothing
    was stored."""

    def __init__(self, verdict: Verdict):
        super().__init__(verdict.reason)
        self.verdict = verdict

    @property
    def kind(self) -> str:
        return self.verdict.reject or ""


@dataclass(frozen=True)
class CommentCreated:
    comment: Comment
    verdict: Verdict
    # Handed to the author once, in the POST's answer; only a hash of its secret is kept.
    edit_token: str = ""


# Steps that judge the words, run again when an author edits: refusals about *posting*
# (closed, flood, duplicate, honeypot) do not apply to an edit.
EDIT_SKIPPED_STEPS = frozenset(
    {
        "comments.moderation.comments_closed",
        "comments.moderation.flood",
        "comments.moderation.duplicate",
        "comments.moderation.honeypot",
    }
)


def _check_body_length(body: str, *, policy: ModerationPolicy) -> None:
    if len(body) > policy.max_body_length:
        raise ValidationError(
            {"body": [f"Ensure this field has no more than {policy.max_body_length} characters."]}
        )


def _validated_parent(
    *, article: Article, parent_id: int | None, policy: ModerationPolicy
) -> Comment | None:
    if parent_id is None:
        return None
    # Locked so a moderator cannot hide the parent between this check and our insert.
    parent = (
        locked(Comment.objects)
        .filter(pk=parent_id, article=article)
        .only("id", "depth", "is_listed", "article_id")
        .first()
    )
    if parent is None or not parent.is_listed:
        raise ValidationError({"parent": ["Reply to an approved comment on this article."]})
    if thread_depth(parent=parent) >= policy.max_depth:
        raise ValidationError(
            {"parent": [f"Replies cannot be nested more than {policy.max_depth} levels deep."]}
        )
    return parent


def comment_create(
    *,
    article: Article,
    author_name: str,
    author_email: str,
    body: str,
    author_url: str = "",
    parent_id: int | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    honeypot: str = "",
    notify_replies: bool = False,
    user: AbstractBaseUser | AnonymousUser | None = None,
    commenter_token: str | None = None,
    now: datetime | None = None,
) -> CommentCreated:
    """Validate a reader's comment, run the moderation pipeline and store it.

    Raises ValidationError (field errors) or CommentRefused; in both cases nothing is
    written. The pipeline only reads (and sets the cache's flood gates), so it runs
    before the write transaction opens: no savepoint around its steps, and SQLite's
    write lock is held for the writes alone. The parent is checked inside, locked.
    """
    now = now or timezone.now()
    policy = ModerationPolicy.load()
    _check_body_length(body, policy=policy)
    submission = Submission(
        article=article,
        policy=policy,
        author_name=author_name,
        author_email=normalize_email(author_email),
        author_url=author_url,
        body=body,
        now=now,
        parent_id=parent_id,
        ip_address=ip_address,
        user_agent=user_agent[:USER_AGENT_MAX],
        honeypot=honeypot,
        user=user if user is not None and user.is_authenticated else None,
        email_proven=address_proven(email=author_email, commenter_token=commenter_token, user=user),
    )
    verdict = run_pipeline(submission)
    if verdict.reject:
        raise CommentRefused(verdict)
    try:
        return _comment_store(submission=submission, verdict=verdict, notify_replies=notify_replies)
    except BaseException:
        # Nothing was stored (a bad parent, a failed write): the reader may send it
        # again at once, so the flood gates this submission closed open again.
        flood_gates_release(submission)
        raise


@transaction.atomic
def _comment_store(
    *, submission: Submission, verdict: Verdict, notify_replies: bool
) -> CommentCreated:
    article, now, author_name = submission.article, submission.now, submission.author_name
    parent = _validated_parent(
        article=article, parent_id=submission.parent_id, policy=submission.policy
    )
    # The commenter's record (the latest name), what staff look up, note and sanction:
    # one upsert. new_commenter and link_count reuse what the pipeline looked up.
    Commenter.objects.bulk_create(
        [Commenter(email=submission.author_email, name=author_name[:100], created_at=now)],
        update_conflicts=True,
        unique_fields=["email"],
        update_fields=["name"],
    )
    approved = verdict.status == Comment.Status.APPROVED
    edit_key = secrets.token_urlsafe(24)
    comment = Comment.objects.create(
        article=article,
        parent=parent,
        depth=thread_depth(parent=parent),
        author_name=submission.author_name,
        author_email=submission.author_email,
        author_url=submission.author_url,
        body=submission.body,
        status=verdict.status,
        is_listed=thread_listed(status=verdict.status, parent=parent),
        submitted_at=now,
        ip_address=submission.ip_address,
        user_agent=submission.user_agent,
        user=submission.user,
        notify_replies=notify_replies,
        edit_key_hash=edit_key_hash(edit_key),
        link_count=min(moderation.link_count(submission), 32767),
        new_commenter=moderation.is_new_commenter(submission),
        moderation_step=verdict.step[:STEP_MAX],
        moderation_reason=_verdict_code(verdict),
    )
    # The audit trail's first row: the pipeline's decision (no actor), the deciding step.
    ModerationAction.objects.create(
        comment=comment,
        from_status="",
        to_status=comment.status,
        reason=comment.moderation_reason,
        step=comment.moderation_step,
        note=verdict.reason,
        created_at=now,
    )
    if approved:
        Article.objects.filter(pk=article.pk).update(
            comment_count=F("comment_count") + 1, comments_changed_at=now
        )
        tasks.enqueue_after_commit(tasks.notify_approved_comments, [comment.pk])
        # The response cache hears of it from the Comment post_save signal
        # (articles/signals.py): an approved new comment is always listed.
    elif comment.status == Comment.Status.PENDING:
        tasks.held_comment_announce(comment_id=comment.pk, now=now)
    return CommentCreated(
        comment=comment,
        verdict=verdict,
        edit_token=edit_token(comment_id=comment.pk, key=edit_key),
    )


@transaction.atomic
def comment_edit(
    *,
    comment: Comment,
    body: str,
    commenter_token: str | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
    now: datetime | None = None,
) -> Comment:
    """The author changes the words; the moderation pipeline judges them again. It may
    make the comment stricter, never more lenient than the last decision of a moderator
    or of readers' reports (an edit cannot undo a hold), and spam stays spam. Every edit
    leaves a row in the audit trail."""
    now = now or timezone.now()
    policy = ModerationPolicy.load()
    _check_body_length(body, policy=policy)
    comment = locked(Comment.objects).select_related("article").get(pk=comment.pk)
    submission = Submission(
        article=comment.article,
        policy=policy,
        author_name=comment.author_name,
        author_email=comment.author_email,
        author_url=comment.author_url,
        body=body,
        now=now,
        parent_id=comment.parent_id,
        ip_address=comment.ip_address,
        user_agent=comment.user_agent,
        editing_comment_id=comment.pk,
        email_proven=address_proven(
            email=comment.author_email, commenter_token=commenter_token, user=user
        ),
    )
    steps = [(path, step) for path, step in pipeline_steps() if path not in EDIT_SKIPPED_STEPS]
    verdict = run_pipeline(submission, steps)
    Comment.objects.filter(pk=comment.pk).update(body=body)
    # A listed comment's new words change the public list; so may a new status.
    affected = {comment.article_id} if comment.is_listed else set()
    status = _no_more_lenient_than(
        verdict.status, comment_last_human_decision(comment_id=comment.pk)
    )
    # Spam stays spam (a honeypot hit, which the edit pipeline cannot see again, or a
    # moderator's call): an edit is no way out of it; only a moderator releases it.
    keeps_spam = comment.status == Comment.Status.SPAM
    changes_status = bool(status) and status != comment.status and not keeps_spam
    ModerationAction.objects.create(
        comment=comment,
        from_status=comment.status,
        to_status=comment.status,
        step=EDIT_STEP,
        note="edited by the author"
        + ("" if changes_status or status == verdict.status else f"; kept {comment.status}"),
        created_at=now,
    )
    if changes_status:
        _, moderated = comments_moderate_quietly(
            ids=[comment.pk],
            status=status,
            now=now,
            reason=_verdict_code(verdict),
            note=verdict.reason,
            step=verdict.step,
        )
        affected |= moderated
    if affected:  # only ever this comment's article, whose slug is at hand
        public_comments_changed.send(sender=Comment, article_slugs=[comment.article.slug])
    comment.refresh_from_db()
    return comment


WITHDRAW_STEP = "comments.services.comment_withdraw"

# How far a status keeps a comment from readers: an edit may move a comment right, never
# left of the last human or reports' decision.
_STRICTNESS = {
    Comment.Status.APPROVED: 0,
    Comment.Status.PENDING: 1,
    Comment.Status.SPAM: 2,
    Comment.Status.REMOVED: 2,
}


def _no_more_lenient_than(status: str | None, floor: str | None) -> str | None:
    if status and floor and _STRICTNESS[status] < _STRICTNESS[floor]:
        return floor
    return status


@transaction.atomic
def comment_withdraw(*, comment: Comment) -> None:
    """The author takes the comment back: removed from the public, token spent."""
    comments_moderate(
        ids=[comment.pk],
        status=Comment.Status.REMOVED,
        note="withdrawn by the author",
        step=WITHDRAW_STEP,
    )
    Comment.objects.filter(pk=comment.pk).update(edit_key_hash="")


@transaction.atomic
def comment_flag(*, comment: Comment, ip_address: str | None, reason: str = "") -> bool:
    """Record a reader's report. Past the policy's threshold of distinct reporters an
    approved comment returns to moderation. Returns whether this report was new."""
    _, created = CommentFlag.objects.get_or_create(
        # Without a usable address all such reports count as one reporter.
        comment=comment,
        ip_address=ip_address or "0.0.0.0",  # noqa: S104 - a placeholder value, not a bind
        defaults={"reason": reason[:200]},
    )
    if not created:
        return False
    Comment.objects.filter(pk=comment.pk).update(flag_count=F("flag_count") + 1)
    if comment.status != Comment.Status.APPROVED:
        return True
    threshold = max(ModerationPolicy.load().flag_threshold, 1)
    reports = CommentFlag.objects.filter(comment=comment).count()
    if reports >= threshold:
        comments_moderate(
            ids=[comment.pk],
            status=Comment.Status.PENDING,
            reason=ReasonCode.FLAGGED,
            note=f"{reports} reader report(s), threshold {threshold}",
            step=FLAG_STEP,
        )
    return created


@transaction.atomic
def comment_counts_refresh(*, article_ids: Iterable[int]) -> None:
    """Recount approved comments from the rows (after hard deletes in the admin)."""
    approved = (
        Comment.objects.filter(article=OuterRef("pk"), status=Comment.Status.APPROVED)
        .order_by()
        .values("article")
        .annotate(n=Count("id"))
        .values("n")
    )
    article_ids = list(article_ids)
    Article.objects.filter(pk__in=article_ids).update(
        comment_count=Coalesce(Subquery(approved, output_field=IntegerField()), 0),
        comments_changed_at=timezone.now(),
    )
    announce_public_comments_changed(article_ids=article_ids)


def comments_delete(*, comments: QuerySet[Comment]) -> None:
    """Hard-delete comments (and their replies), keeping the articles' counts right (the
    recount also tells the response cache)."""
    with transaction.atomic():
        article_ids = set(comments.values_list("article_id", flat=True))
        comments.delete()
        comment_counts_refresh(article_ids=article_ids)


@transaction.atomic
def reply_notifications_unsubscribe(*, comment: Comment) -> int:
    """Stop reply emails for every comment by this comment's author (one click)."""
    return Comment.objects.filter(author_email=comment.author_email, notify_replies=True).update(
        notify_replies=False
    )
