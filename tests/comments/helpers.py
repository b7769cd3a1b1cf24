"""Helpers shared by the comments tests: set the moderation policy, store a comment."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from comments.models import Comment, ModerationPolicy
from comments.services import comments_moderate

_sequence = itertools.count(1)


def set_policy(**fields) -> ModerationPolicy:
    """Change fields of the (single) moderation policy row and save it."""
    policy = ModerationPolicy.load()
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.save()
    return policy


def make_comment(
    article,
    *,
    status: str = "approved",
    parent: Comment | None = None,
    body_prefix: str = "Comment number",
    user_agent: str = "",
    **fields,
) -> Comment:
    """A stored comment, a day old (outside any flood window), each one later than the
    one before; its status is set through the moderation service so counts and listing
    stay right. The body is `"{body_prefix} {n}"` unless `body` is given."""
    n = next(_sequence)
    values = {
        "author_name": f"Reader {n}",
        "author_email": f"reader{n}@example.org",
        "body": f"{body_prefix} {n}",
        "submitted_at": timezone.now() - timedelta(days=1) + timedelta(seconds=n),
        "ip_address": "198.51.100.200",
    }
    if user_agent:
        values["user_agent"] = user_agent
    values.update(fields)
    comment = Comment.objects.create(
        article=article,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        status=Comment.Status.PENDING,
        **values,
    )
    if status != Comment.Status.PENDING:
        comments_moderate(ids=[comment.pk], status=status)
    comment.refresh_from_db()
    return comment
