"""Readers' reactions to comments: the write paths (react, take it back).

A reader gives a listed comment the site's one reaction (`ModerationPolicy.reaction_label`,
"Respect" by default) at most once per *client*: the pair (trusted client IP, reader
token). The token is a long-lived random value the API hands out in a cookie, or that an
app sends in the `X-Reader-Token` header. Only `client_key`, an HMAC of the pair under
the SECRET_KEY, is stored: never the IP, never the token.

`Comment.reaction_count` is kept in the same transaction as the reaction rows, under the
comment's row lock (F() updates), and the unique constraint one_reaction_per_client
settles a race between two requests of the same client. A change tells the public
response cache (comments/signals.py, comments/cache.py) that the article's comment list
changed.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.crypto import salted_hmac

from articles.models import Article
from comments.models import Comment, CommentReaction, ModerationPolicy
from comments.signals import public_comments_changed

CLIENT_KEY_SALT = "comments.reactions.client-key"
# What a reader token looks like: URL-safe base64, 22 to 64 characters (at least 128
# random bits). new_reader_token() makes 43 (256 bits); an app may make its own.
READER_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,64}")


class ReactionsDisabled(Exception):
    """The moderation policy has reactions turned off."""


class CommentNotReactable(Exception):
    """No such comment, or the public cannot see it (not listed, article not visible)."""


@dataclass(frozen=True)
class ReactionState:
    reaction_count: int
    reacted: bool  # whether this client's reaction is there now
    changed: bool  # whether this request added or removed it


def new_reader_token() -> str:
    return secrets.token_urlsafe(32)


def is_reader_token(value: str | None) -> bool:
    return value is not None and READER_TOKEN_PATTERN.fullmatch(value) is not None


def client_key(*, ip_address: str | None, reader_token: str) -> str:
    """The stored identity of a client: a keyed hash, so the table holds neither the IP
    nor the token, and without the reader's token the IP cannot be guessed back from it
    (the token has at least 128 random bits), not even knowing the SECRET_KEY."""
    message = f"{ip_address or ''}|{reader_token}"
    return salted_hmac(CLIENT_KEY_SALT, message, algorithm="sha256").hexdigest()


def _reactable_comment_locked(comment_id: int) -> Comment:
    """The comment (with its article's slug), locked, if the public sees it. Only the
    comment's row is locked, FOR NO KEY UPDATE where the database has it, like
    comments.locking: the reaction row's foreign-key check (FOR KEY SHARE) and other
    readers' replies must not wait on it."""
    queryset = (
        Comment.objects.listed()
        .filter(pk=comment_id, article__in=Article.objects.visible())
        .select_related("article")
        .only("id", "article_id", "reaction_count", "article__slug")
        .select_for_update(of=("self",), no_key=connection.features.has_select_for_no_key_update)
    )
    try:
        return queryset.get()
    except Comment.DoesNotExist:
        raise CommentNotReactable(comment_id) from None


def _require_enabled() -> None:
    if not ModerationPolicy.load().reactions_enabled:
        raise ReactionsDisabled


def _public_list_changed(comment: Comment) -> None:
    # Inside the transaction on purpose, as comments.moderating does: the response cache
    # (comments/cache.py) invalidates at once and again when the transaction commits.
    public_comments_changed.send(sender=Comment, article_slugs=[comment.article.slug])


@transaction.atomic
def comment_react(*, comment_id: int, client_key: str) -> ReactionState:
    """The client reacts to the comment; a second time changes nothing (idempotent)."""
    _require_enabled()
    comment = _reactable_comment_locked(comment_id)
    try:
        with transaction.atomic():  # a savepoint: the unique violation leaves the rest intact
            CommentReaction.objects.create(comment_id=comment.pk, client_key=client_key)
    except IntegrityError:  # this client had reacted already
        return ReactionState(comment.reaction_count, reacted=True, changed=False)
    Comment.objects.filter(pk=comment.pk).update(reaction_count=F("reaction_count") + 1)
    _public_list_changed(comment)
    # The row is locked: nobody changed the count since we read it.
    return ReactionState(comment.reaction_count + 1, reacted=True, changed=True)


@transaction.atomic
def comment_unreact(*, comment_id: int, client_key: str) -> ReactionState:
    """The client takes its reaction back; without one, nothing changes."""
    _require_enabled()
    comment = _reactable_comment_locked(comment_id)
    deleted, _ = CommentReaction.objects.filter(
        comment_id=comment.pk, client_key=client_key
    ).delete()
    if not deleted:
        return ReactionState(comment.reaction_count, reacted=False, changed=False)
    Comment.objects.filter(pk=comment.pk, reaction_count__gt=0).update(
        reaction_count=F("reaction_count") - 1
    )
    _public_list_changed(comment)
    return ReactionState(max(comment.reaction_count - 1, 0), reacted=False, changed=True)
