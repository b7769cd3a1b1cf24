"""Write paths of the comments domain: posting, moderating, flagging.

Invariants kept here, in transactions:
- `Article.comment_count` is the number of approved comments (F() increments under
  row locks, so concurrent posts and moderation never lose an update);
- `Comment.is_listed` is "approved, and every ancestor listed", rewritten for the whole
  subtree whenever a status changes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.models import Article
from comments import tasks
from comments.models import Comment, CommentFlag, ModerationPolicy
from comments.moderation import Submission, Verdict, pipeline_steps, run_pipeline

USER_AGENT_MAX = 512

logger = logging.getLogger(__name__)


def _enqueue_after_commit(task, *args) -> None:
    """Queue a notification task once the transaction commits. A queue that cannot take
    it is logged: the comment is already safely stored, the reader gets their answer."""

    def enqueue():
        try:
            task.enqueue(*args)
        except Exception:
            logger.exception("Could not enqueue %s%r", task.name, args)

    transaction.on_commit(enqueue)


def _locked(queryset):
    """`SELECT ... FOR NO KEY UPDATE` where the database has it (PostgreSQL), else FOR UPDATE.

    We never change a comment's id, so the weaker lock still serializes posts and
    moderation on the same rows. A plain FOR UPDATE would also block the FOR KEY SHARE
    lock PostgreSQL's deferred foreign-key check takes at COMMIT: a bulk approval that
    updates a reply twice (status, then is_listed) checks the reply's parent at COMMIT,
    while holding the article's row for its count; a reader replying to that parent held
    it FOR UPDATE and waited for the article's row: a deadlock (503) under load.
    """
    return queryset.select_for_update(no_key=connection.features.has_select_for_no_key_update)


class CommentRefused(Exception):
    """The pipeline refused the comment (closed, flood or duplicate); nothing was stored."""

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


EDIT_SIGNING_NAMESPACE = "comments.edit-token"
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


class EditNotAllowed(Exception):
    """No token, a forged or foreign one, the window has passed, or the comment is gone."""


def _edit_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _edit_token(comment_pk: int, key: str) -> str:
    return signing.dumps({"c": comment_pk, "k": key}, salt=EDIT_SIGNING_NAMESPACE, compress=True)


def comment_for_edit_token(*, comment_id: int, token: str | None) -> Comment:
    """The comment `token` allows its author to edit or withdraw now."""
    if not token:
        raise EditNotAllowed("An edit token is required (X-Edit-Token header).")
    window = ModerationPolicy.load().edit_window_minutes * 60
    try:
        data = signing.loads(token, salt=EDIT_SIGNING_NAMESPACE, max_age=window)
        token_comment, key = int(data["c"]), str(data["k"])
    except signing.SignatureExpired:
        raise EditNotAllowed("The time for editing this comment has passed.") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise EditNotAllowed("This edit token is not valid.") from None
    comment = Comment.objects.filter(pk=comment_id).first()
    if (
        window <= 0
        or token_comment != comment_id
        or comment is None
        or not comment.edit_key_hash
        or not hmac.compare_digest(comment.edit_key_hash, _edit_key_hash(key))
        or comment.status == Comment.Status.REMOVED
    ):
        raise EditNotAllowed("This edit token does not allow changing this comment.")
    return comment


def _validated_parent(*, article: Article, parent_id: int | None, policy: ModerationPolicy):
    if parent_id is None:
        return None
    # Locked so a moderator cannot hide the parent between this check and our insert.
    parent = (
        _locked(Comment.objects)
        .filter(pk=parent_id, article=article)
        .only("id", "depth", "is_listed", "article_id")
        .first()
    )
    if parent is None or not parent.is_listed:
        raise ValidationError({"parent": ["Reply to an approved comment on this article."]})
    if parent.depth + 1 >= policy.max_depth:
        raise ValidationError(
            {"parent": [f"Replies cannot be nested more than {policy.max_depth} levels deep."]}
        )
    return parent


@transaction.atomic
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
    user=None,
    now=None,
) -> CommentCreated:
    """Validate a reader's comment, run the moderation pipeline and store it.

    Raises ValidationError (field errors) or CommentRefused; in both cases nothing is
    written.
    """
    now = now or timezone.now()
    policy = ModerationPolicy.load()
    if len(body) > policy.max_body_length:
        raise ValidationError(
            {"body": [f"Ensure this field has no more than {policy.max_body_length} characters."]}
        )
    parent = _validated_parent(article=article, parent_id=parent_id, policy=policy)
    submission = Submission(
        article=article,
        policy=policy,
        author_name=author_name,
        author_email=author_email.strip().lower(),
        author_url=author_url,
        body=body,
        now=now,
        parent_id=parent.pk if parent else None,
        ip_address=ip_address,
        user_agent=user_agent[:USER_AGENT_MAX],
        honeypot=honeypot,
        user=user if user is not None and user.is_authenticated else None,
    )
    verdict = run_pipeline(submission)
    if verdict.reject:
        raise CommentRefused(verdict)
    approved = verdict.status == Comment.Status.APPROVED
    edit_key = secrets.token_urlsafe(24)
    comment = Comment.objects.create(
        article=article,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        author_name=submission.author_name,
        author_email=submission.author_email,
        author_url=submission.author_url,
        body=submission.body,
        status=verdict.status,
        is_listed=approved and (parent is None or parent.is_listed),
        submitted_at=now,
        ip_address=submission.ip_address,
        user_agent=submission.user_agent,
        user=submission.user,
        notify_replies=notify_replies,
        edit_key_hash=_edit_key_hash(edit_key),
    )
    if approved:
        Article.objects.filter(pk=article.pk).update(
            comment_count=F("comment_count") + 1, comments_changed_at=now
        )
        _enqueue_after_commit(tasks.notify_approved_comments, [comment.pk])
    elif comment.status == Comment.Status.PENDING:
        _enqueue_after_commit(tasks.notify_held_comment, comment.pk)
    return CommentCreated(
        comment=comment, verdict=verdict, edit_token=_edit_token(comment.pk, edit_key)
    )


@transaction.atomic
def comment_edit(*, comment: Comment, body: str, now=None) -> Comment:
    """The author changes the words; the moderation pipeline judges them again."""
    now = now or timezone.now()
    policy = ModerationPolicy.load()
    if len(body) > policy.max_body_length:
        raise ValidationError(
            {"body": [f"Ensure this field has no more than {policy.max_body_length} characters."]}
        )
    comment = _locked(Comment.objects).select_related("article").get(pk=comment.pk)
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
    )
    steps = [(path, step) for path, step in pipeline_steps() if path not in EDIT_SKIPPED_STEPS]
    verdict = run_pipeline(submission, steps)
    Comment.objects.filter(pk=comment.pk).update(body=body)
    # Spam stays spam (a honeypot hit, which the edit pipeline cannot see again, or a
    # moderator's call): an edit is no way out of it; only a moderator releases it.
    keeps_spam = comment.status == Comment.Status.SPAM
    if verdict.status and verdict.status != comment.status and not keeps_spam:
        comments_moderate(ids=[comment.pk], status=verdict.status, now=now)
    comment.refresh_from_db()
    return comment


@transaction.atomic
def comment_withdraw(*, comment: Comment) -> None:
    """The author takes the comment back: removed from the public, token spent."""
    comments_moderate(ids=[comment.pk], status=Comment.Status.REMOVED)
    Comment.objects.filter(pk=comment.pk).update(edit_key_hash="")


@transaction.atomic
def comments_moderate(
    *, ids: Iterable[int], status: str, moderator=None, now=None
) -> list[Comment]:
    """Set the status of the given comments in one transaction.

    Returns the comments whose status changed. The number of queries does not grow
    with the number of comments (it grows with the depth of the threads, bounded by
    the policy).
    """
    if status not in Comment.Status.values:
        raise ValidationError({"status": [f'"{status}" is not a valid status.']})
    now = now or timezone.now()
    # Lock in primary-key order so two bulk moderations cannot deadlock.
    locked = list(
        _locked(Comment.objects)
        .filter(pk__in=list(ids))
        .order_by("pk")
        .only("id", "status", "article_id", "parent_id", "depth", "is_listed")
    )
    changed = [comment for comment in locked if comment.status != status]
    if not changed:
        return []
    acting_moderator = moderator if moderator is not None and moderator.is_authenticated else None
    changed_ids = [c.pk for c in changed]
    Comment.objects.filter(pk__in=changed_ids).update(
        status=status, moderated_by=acting_moderator, moderated_at=now
    )
    if acting_moderator is not None and status == Comment.Status.APPROVED:
        # A moderator's approval answers the reports so far; only new ones count again.
        CommentFlag.objects.filter(comment_id__in=changed_ids).delete()
        Comment.objects.filter(pk__in=changed_ids).update(flag_count=0)
    deltas: dict[int, int] = {}
    for comment in changed:
        delta = (status == Comment.Status.APPROVED) - (comment.status == Comment.Status.APPROVED)
        if delta:
            deltas[comment.article_id] = deltas.get(comment.article_id, 0) + delta
        comment.status = status
    _apply_comment_count_deltas(deltas, now=now)
    _refresh_listing(changed)
    if status == Comment.Status.APPROVED:
        _enqueue_after_commit(tasks.notify_approved_comments, changed_ids)
    return changed


def comment_moderate(*, comment: Comment, status: str, moderator=None) -> Comment:
    comments_moderate(ids=[comment.pk], status=status, moderator=moderator)
    comment.refresh_from_db()
    return comment


def _apply_comment_count_deltas(deltas: dict[int, int], *, now) -> None:
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


def _refresh_listing(roots: list[Comment]) -> None:
    """Recompute `is_listed` for the given comments and all their replies.

    One query per thread level (locking each level, so a reply being posted under a
    comment we are hiding either waits for us or is seen by us), then two updates.
    """
    nodes: dict[int, tuple[int | None, str, bool]] = {
        c.pk: (c.parent_id, c.status, c.is_listed) for c in roots
    }
    frontier = list(nodes)
    while frontier:
        children = list(
            _locked(Comment.objects)
            .filter(parent_id__in=frontier)
            .exclude(pk__in=list(nodes))
            .values_list("pk", "parent_id", "status", "is_listed")
        )
        for pk, parent_id, status, is_listed in children:
            nodes[pk] = (parent_id, status, is_listed)
        frontier = [row[0] for row in children]
    outside_parents = {p for p, _, _ in nodes.values() if p is not None and p not in nodes}
    listed: dict[int, bool] = dict(
        Comment.objects.filter(pk__in=outside_parents).values_list("pk", "is_listed")
    )

    def is_listed(pk: int) -> bool:
        if pk not in listed:
            parent_id, status, _ = nodes[pk]
            parent_ok = parent_id is None or is_listed(parent_id)
            listed[pk] = status == Comment.Status.APPROVED and parent_ok
        return listed[pk]

    to_list, to_unlist = [], []
    for pk, (_, _, was_listed) in nodes.items():
        now_listed = is_listed(pk)
        if now_listed != was_listed:
            (to_list if now_listed else to_unlist).append(pk)
    if to_list:
        Comment.objects.filter(pk__in=to_list).update(is_listed=True)
    if to_unlist:
        Comment.objects.filter(pk__in=to_unlist).update(is_listed=False)


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
    if CommentFlag.objects.filter(comment=comment).count() >= threshold:
        comments_moderate(ids=[comment.pk], status=Comment.Status.PENDING)
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
    Article.objects.filter(pk__in=list(article_ids)).update(
        comment_count=Coalesce(Subquery(approved, output_field=IntegerField()), 0),
        comments_changed_at=timezone.now(),
    )


def comments_delete(*, comments) -> None:
    """Hard-delete comments (and their replies), keeping the articles' counts right."""
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
