"""Emails about comments: to moderators when one is held, to the article's author and
to the reader replied to when one is approved.

What each recipient may see: moderators (staff) get the commenter's email and IP; an
article's author and a reader get the commenter's name and words only. Reply emails
carry a signed one-click unsubscribe link (RFC 8058 headers too).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse

from articles import links
from comments.models import Comment

UNSUBSCRIBE_SALT = "comments.unsubscribe-replies"


def unsubscribe_token(comment: Comment) -> str:
    return signing.dumps({"comment": comment.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(comment: Comment) -> str:
    path = reverse("api:comment-unsubscribe")
    return links.absolute(f"{path}?token={unsubscribe_token(comment)}")


def comment_for_unsubscribe_token(token: str) -> Comment | None:
    """The comment a token was made for, or None when it is forged or malformed.
    Unsubscribe links do not expire: a reader may use one years later."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return Comment.objects.filter(pk=int(data["comment"])).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def moderator_addresses() -> list[str]:
    if settings.COMMENTS_MODERATOR_EMAILS:
        return list(settings.COMMENTS_MODERATOR_EMAILS)
    may_moderate = (
        Q(is_superuser=True)
        | Q(user_permissions__codename="change_comment")
        | Q(groups__permissions__codename="change_comment")
    )
    users = get_user_model().objects.filter(may_moderate, is_active=True, is_staff=True)
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def _send(subject: str, body: str, to: list[str], headers: dict | None = None) -> int:
    if not to:
        return 0
    message = EmailMessage(subject=subject, body=body, to=to, headers=headers or {})
    return message.send(fail_silently=False)


def _held_comment_text(comment: Comment) -> str:
    return (
        f"On “{comment.article.title}”:\n"
        f"Author: {comment.author_name} <{comment.author_email}>\n"
        f"IP address: {comment.ip_address or 'unknown'}\n"
        f"Website: {comment.author_url or '-'}\n\n"
        f"{comment.body}\n\n"
        f"Moderate it: "
        f"{links.absolute(reverse('admin:comments_comment_change', args=[comment.pk]))}\n"
    )


# A notice lists this many comments in full; the queue link leads to the rest.
HELD_NOTICE_LISTED = 20


def send_held_comments_notice(comments: list[Comment], *, held: int) -> int:
    """One email to the moderators about `held` comments newly held, the first of them
    (`comments`, their articles joined) written out."""
    if not comments:
        return 0
    queue_url = (
        links.absolute(reverse("admin:comments_comment_changelist")) + "?status__exact=pending"
    )
    if held == 1:
        subject = f"[{settings.SITE_NAME}] Please moderate: “{comments[0].article.title}”"
        intro = "A new comment is waiting for moderation.\n\n"
    else:
        subject = f"[{settings.SITE_NAME}] Please moderate: {held} new comments"
        intro = f"{held} new comments are waiting for moderation.\n\n"
    listed = "\n---\n\n".join(_held_comment_text(comment) for comment in comments)
    more = f"\n…and {held - len(comments)} more.\n" if held > len(comments) else ""
    body = f"{intro}{listed}{more}\nAll held comments: {queue_url}\n"
    return _send(subject, body, moderator_addresses())


def send_held_comment_notice(comment: Comment) -> int:
    return send_held_comments_notice([comment], held=1)


def _article_author_address(article) -> str:
    author = article.author
    if author is None:
        return ""
    if author.email:
        return author.email
    return author.user.email if author.user_id and author.user else ""


def send_new_comment_to_article_author(comment: Comment) -> int:
    if not settings.COMMENTS_NOTIFY_ARTICLE_AUTHOR:
        return 0
    article = comment.article
    address = _article_author_address(article)
    if not address or address.lower() == comment.author_email:
        return 0
    body = (
        f"{comment.author_name} commented on your article “{article.title}”:\n\n"
        f"{comment.body}\n\n"
        f"{links.absolute(links.comment_path(comment, article))}\n"
    )
    return _send(f"[{settings.SITE_NAME}] New comment: “{article.title}”", body, [address])


def send_reply_notice(reply: Comment) -> int:
    parent = reply.parent
    if parent is None or not parent.notify_replies or parent.author_email == reply.author_email:
        return 0
    article = reply.article
    unsubscribe = unsubscribe_url(parent)
    body = (
        f"Hello {parent.author_name},\n\n"
        f"{reply.author_name} replied to your comment on “{article.title}”:\n\n"
        f"{reply.body}\n\n"
        f"Read the conversation: {links.absolute(links.comment_path(reply, article))}\n\n"
        f"You asked to be told about replies. To stop these emails: {unsubscribe}\n"
    )
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return _send(
        f"[{settings.SITE_NAME}] New reply to your comment", body, [parent.author_email], headers
    )
