"""Edit tokens: how the author of a comment, who has no account, may edit or withdraw it.

The POST that creates a comment answers a signed token once (`edit_token`); the comment
keeps only a hash of its secret key. The token allows changing that comment only, while
the policy's edit window lasts, and a withdrawal spends it.
"""

from __future__ import annotations

import hashlib
import hmac

from django.core import signing

from comments.models import Comment, ModerationPolicy

EDIT_SIGNING_NAMESPACE = "comments.edit-token"


class EditNotAllowed(Exception):
    """No token, a forged or foreign one, the window has passed, or the comment is gone."""


def edit_key_hash(key: str) -> str:
    """What the comment stores of its edit key."""
    return hashlib.sha256(key.encode()).hexdigest()


def edit_token(*, comment_id: int, key: str) -> str:
    """The token handed to the author: the comment's id and its key, signed."""
    return signing.dumps({"c": comment_id, "k": key}, salt=EDIT_SIGNING_NAMESPACE, compress=True)


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
        or not hmac.compare_digest(comment.edit_key_hash, edit_key_hash(key))
        or comment.status == Comment.Status.REMOVED
    ):
        raise EditNotAllowed("This edit token does not allow changing this comment.")
    return comment
