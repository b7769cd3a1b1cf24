"""Background tasks: notification emails are sent outside the request.

Enqueued by the write paths (comments.services, comments.moderating, and a reader's
privacy request here) with `enqueue_after_commit`, so a task never sees a comment that
was rolled back. Each approval is announced once: the task claims the
comment by setting `approval_notified_at` before sending.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from comments import notifications
from comments.commenter_proof import confirmation_mail_send
from comments.locking import locked
from comments.models import Comment
from comments.privacy import comment_metadata_purge, normalize_email, privacy_request_mail_link
from plumbing.tasks import enqueue_after_commit  # noqa: F401  (the comments' write paths use it from here)

logger = logging.getLogger(__name__)


@task()
def notify_held_comment(comment_id: int) -> int:
    """One held comment's notice of its own (no window; see held_comment_announce)."""
    claimed = Comment.objects.filter(
        pk=comment_id, status=Comment.Status.PENDING, held_notified_at__isnull=True
    ).update(held_notified_at=timezone.now())
    if not claimed:  # moderated, deleted or announced before the task ran
        return 0
    comment = (
        Comment.objects.select_related("article")
        .filter(pk=comment_id, status=Comment.Status.PENDING)
        .first()
    )
    if comment is None:  # moderated (or deleted) before the task ran
        return 0
    return notifications.send_held_comment_notice(comment)


@task()
def notify_held_comments() -> int:
    """The moderators' notice of every held comment not announced yet, in one email:
    claimed first (held_notified_at), so two sweeps never announce a comment twice; one
    moderated before the sweep ran is no longer held and is left out."""
    with transaction.atomic():
        claimed = list(
            locked(Comment.objects)
            .filter(status=Comment.Status.PENDING, held_notified_at__isnull=True)
            .order_by("id")
            .values_list("id", flat=True)
        )
        Comment.objects.filter(pk__in=claimed).update(held_notified_at=timezone.now())
    listed = list(
        Comment.objects.select_related("article")
        .filter(pk__in=claimed[: notifications.HELD_NOTICE_LISTED])
        .order_by("id")
    )
    return notifications.send_held_comments_notice(listed, held=len(claimed))


HELD_NOTICE_KEY = "comments:held-notice-due"
# The sweep runs this long after the window closes, so a comment that found the window
# open (and queued nothing) has committed before the sweep looks for it.
HELD_NOTICE_GRACE_SECONDS = 5


def held_comment_announce(*, comment_id: int, now) -> None:
    """Tell the moderators about a held comment (comments.services.comment_create, in
    its transaction). Within COMMENTS_HELD_NOTICE_SECONDS of the first held comment,
    later ones queue nothing: the sweep already queued for later finds them all. A busy
    site sends one email a minute, not one a comment, and a post saves the queue's
    insert. Without a window, or with a queue that cannot run a task later, or when the
    cache cannot say whether a sweep is due, the comment gets a notice of its own."""
    window = settings.COMMENTS_HELD_NOTICE_SECONDS
    if window > 0 and notify_held_comments.get_backend().supports_defer:
        due = django_cache.add(HELD_NOTICE_KEY, 1, timeout=window)
        if due is False:
            return  # a sweep is queued and will find this comment
        if due is True:
            run_after = now + timedelta(seconds=window + HELD_NOTICE_GRACE_SECONDS)
            enqueue_after_commit(notify_held_comments.using(run_after=run_after))
            return
    enqueue_after_commit(notify_held_comment, comment_id)


@task()
def notify_approved_comments(comment_ids: list[int]) -> int:
    sent = 0
    for comment_id in comment_ids:
        claimed = Comment.objects.filter(
            pk=comment_id, status=Comment.Status.APPROVED, approval_notified_at__isnull=True
        ).update(approval_notified_at=timezone.now())
        if not claimed:
            continue
        comment = Comment.objects.select_related("article__author__user", "parent").get(
            pk=comment_id
        )
        sent += notifications.send_new_comment_to_article_author(comment)
        sent += notifications.send_reply_notice(comment)
    return sent


@task()
def handle_privacy_request(email: str, kind: str) -> bool:
    """Email the confirmation link if (and only if) the address has comments."""
    return privacy_request_mail_link(email=email, kind=kind) is not None


@task()
def purge_comment_metadata(reschedule_hours: int = 0) -> int:
    """Remove old IPs and user agents; with `reschedule_hours`, queue the next run (a
    daily purge needs no cron where the database worker runs)."""
    purged = comment_metadata_purge()
    if reschedule_hours > 0 and purge_comment_metadata.get_backend().supports_defer:
        next_run = timezone.now() + timedelta(hours=reschedule_hours)
        purge_comment_metadata.using(run_after=next_run).enqueue(reschedule_hours)
    return purged


def privacy_request_receive(*, email: str, kind: str) -> None:
    """What the public privacy endpoint does: queue the work (`handle_privacy_request`)
    and return. Whether the address has comments is decided in the task, so the answer
    and its timing say nothing."""
    address = normalize_email(email)
    transaction.on_commit(lambda: handle_privacy_request.enqueue(address, kind))


def commenter_confirmation_receive(*, email: str) -> None:
    """What the public confirmation endpoint does: queue the mail and return, so the
    answer and its timing are the same for every address."""
    address = normalize_email(email)
    transaction.on_commit(lambda: send_commenter_confirmation.enqueue(address))


@task()
def send_commenter_confirmation(email: str) -> None:
    confirmation_mail_send(email=email)
