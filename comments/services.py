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
from comments import moderation, tasks
from comments.models import (
    Comment,
    Commenter,
    CommentFlag,
    ModerationAction,
    ModerationPolicy,
    ReasonCode,
)
from comments.moderation import Submission, Verdict, pipeline_steps, run_pipeline
from comments.signals import public_comments_changed

USER_AGENT_MAX = 512
STEP_MAX = 200  # ModerationAction.step and Comment.moderation_step

logger = logging.getLogger(__name__)


def _public_comments_changed(article_ids: Iterable[int]) -> None:
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


def _verdict_code(verdict: Verdict) -> str:
    """The pipeline's reason code for the audit trail. A plug-in step that invents a code
    is recorded as `other` rather than storing a value no filter knows."""
    if verdict.code in ReasonCode.values:
        return verdict.code
    if verdict.status == Comment.Status.SPAM:
        return ReasonCode.SPAM
    return ReasonCode.OTHER if verdict.code else ""


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
        _enqueue_after_commit(tasks.notify_approved_comments, [comment.pk])
        # The response cache hears of it from the Comment post_save signal
        # (articles/signals.py): an approved new comment is always listed.
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
    # A listed comment's new words change the public list; so may a new status.
    affected = {comment.article_id} if comment.is_listed else set()
    # Spam stays spam (a honeypot hit, which the edit pipeline cannot see again, or a
    # moderator's call): an edit is no way out of it; only a moderator releases it.
    keeps_spam = comment.status == Comment.Status.SPAM
    if verdict.status and verdict.status != comment.status and not keeps_spam:
        _, moderated = _moderate(
            ids=[comment.pk],
            status=verdict.status,
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
FLAG_STEP = "comments.services.comment_flag"


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
def comments_moderate(
    *,
    ids: Iterable[int],
    status: str,
    moderator=None,
    now=None,
    reason: str = "",
    note: str = "",
    step: str = "",
) -> list[Comment]:
    """Set the status of the given comments in one transaction, with the audit trail.

    `reason` is a ReasonCode (or blank; a spam decision without one is recorded as
    `spam`), `note` free text for the audit row, `step` the dotted path of the code that
    decided when it is not a moderator (blank for staff). Each comment whose status
    changes gets one ModerationAction row (actor: the moderator, or none) and its
    `moderation_step`/`moderation_reason`; leaving `approved` unfeatures it.

    Returns the comments whose status changed. The number of queries does not grow
    with the number of comments (it grows with the depth of the threads, bounded by
    the policy).
    """
    changed, affected = _moderate(
        ids=ids, status=status, moderator=moderator, now=now, reason=reason, note=note, step=step
    )
    _public_comments_changed(affected)
    return changed


def _moderate(
    *,
    ids: Iterable[int],
    status: str,
    moderator=None,
    now=None,
    reason: str = "",
    note: str = "",
    step: str = "",
) -> tuple[list[Comment], set[int]]:
    """comments_moderate without the cache notification: returns the changed comments
    and the ids of the articles whose public list or count changed."""
    if status not in Comment.Status.values:
        raise ValidationError({"status": [f'"{status}" is not a valid status.']})
    reason = _reason_code(reason)
    if not reason and status == Comment.Status.SPAM:
        reason = ReasonCode.SPAM
    step = step[:STEP_MAX]
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
    # One row per changed comment, in one statement (SQLite splits very large batches).
    ModerationAction.objects.bulk_create(
        [
            ModerationAction(
                comment_id=comment.pk,
                from_status=comment.status,
                to_status=status,
                actor=acting_moderator,
                reason=reason,
                step=step,
                note=note,
                created_at=now,
            )
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
    relisted = _refresh_listing(changed)
    if status == Comment.Status.APPROVED:
        _enqueue_after_commit(tasks.notify_approved_comments, changed_ids)
    return changed, {article_id for article_id, delta in deltas.items() if delta} | relisted


def comment_moderate(
    *, comment: Comment, status: str, moderator=None, reason: str = "", note: str = ""
) -> Comment:
    comments_moderate(
        ids=[comment.pk], status=status, moderator=moderator, reason=reason, note=note
    )
    comment.refresh_from_db()
    return comment


@transaction.atomic
def comment_feature(comment: Comment, *, by=None, now=None) -> Comment:
    """Make an approved comment an editor's pick. Featuring one already featured keeps
    its first `featured_at`. Raises ValidationError (`featured`) for any other status."""
    locked = _locked(Comment.objects).only("id", "status", "featured", "is_listed", "article_id")
    current = locked.get(pk=comment.pk)
    if current.status != Comment.Status.APPROVED:
        raise ValidationError({"featured": ["Only an approved comment can be featured."]})
    if not current.featured:
        now = now or timezone.now()
        Comment.objects.filter(pk=current.pk).update(featured=True, featured_at=now)
        logger.info("Comment %s featured by user %s", current.pk, getattr(by, "pk", None))
        if current.is_listed:
            _public_comments_changed([current.article_id])
    comment.refresh_from_db()
    return comment


@transaction.atomic
def comment_unfeature(comment: Comment, *, by=None) -> Comment:
    """No longer an editor's pick (whatever the comment's status; idempotent)."""
    current = _locked(Comment.objects).only("id", "featured", "is_listed", "article_id")
    current = current.get(pk=comment.pk)
    if current.featured:
        Comment.objects.filter(pk=current.pk).update(featured=False, featured_at=None)
        logger.info("Comment %s unfeatured by user %s", current.pk, getattr(by, "pk", None))
        if current.is_listed:
            _public_comments_changed([current.article_id])
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


def _refresh_listing(roots: list[Comment]) -> set[int]:
    """Recompute `is_listed` for the given comments and all their replies; return the
    ids of the articles where a comment was listed or unlisted.

    One query per thread level (locking each level, so a reply being posted under a
    comment we are hiding either waits for us or is seen by us), then two updates.
    """
    nodes: dict[int, tuple[int | None, str, bool, int]] = {
        c.pk: (c.parent_id, c.status, c.is_listed, c.article_id) for c in roots
    }
    frontier = list(nodes)
    while frontier:
        children = list(
            _locked(Comment.objects)
            .filter(parent_id__in=frontier)
            .exclude(pk__in=list(nodes))
            .values_list("pk", "parent_id", "status", "is_listed", "article_id")
        )
        for pk, parent_id, status, is_listed, article_id in children:
            nodes[pk] = (parent_id, status, is_listed, article_id)
        frontier = [row[0] for row in children]
    outside_parents = {n[0] for n in nodes.values() if n[0] is not None and n[0] not in nodes}
    listed: dict[int, bool] = dict(
        Comment.objects.filter(pk__in=outside_parents).values_list("pk", "is_listed")
    )

    def is_listed(pk: int) -> bool:
        if pk not in listed:
            parent_id, status, _, _ = nodes[pk]
            parent_ok = parent_id is None or is_listed(parent_id)
            listed[pk] = status == Comment.Status.APPROVED and parent_ok
        return listed[pk]

    to_list, to_unlist, articles = [], [], set()
    for pk, (_, _, was_listed, article_id) in nodes.items():
        now_listed = is_listed(pk)
        if now_listed != was_listed:
            (to_list if now_listed else to_unlist).append(pk)
            articles.add(article_id)
    if to_list:
        Comment.objects.filter(pk__in=to_list).update(is_listed=True)
    if to_unlist:
        Comment.objects.filter(pk__in=to_unlist).update(is_listed=False)
    return articles


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
    _public_comments_changed(article_ids)


def comments_delete(*, comments) -> None:
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
