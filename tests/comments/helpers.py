"""Helpers shared by the comments tests: set the moderation policy, store a comment,
build a submission, read what is stored or shown."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from comments.commenter_proof import commenter_token_for_link, confirmation_link_token
from comments.models import Comment, ModerationPolicy
from comments.moderating import comments_moderate
from comments.moderation import Submission
from comments.services import comment_create

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


# --- a reader's submission -------------------------------------------------------------

READER_EMAIL = "ada@example.com"


def submission(article, policy, **overrides) -> Submission:
    """A clean submission that no step objects to, with `overrides` applied."""
    fields = {
        "article": article,
        "policy": policy,
        "author_name": "Ada Reader",
        "author_email": READER_EMAIL,
        "author_url": "",
        "body": "A thoughtful remark.",
        "now": timezone.now(),
        "parent_id": None,
        "ip_address": "192.0.2.10",
        "user_agent": "Mozilla/5.0 TestBrowser",
        "honeypot": "",
    }
    fields.update(overrides)
    return Submission(**fields)


def post(article, *, proven: bool = False, **overrides):
    """comment_create with the same clean reader's data and `overrides` applied; with
    `proven`, the reader sends the commenter token of the address it posts with, so the
    address's history counts."""
    fields = {
        "article": article,
        "author_name": "Ada Reader",
        "author_email": READER_EMAIL,
        "body": "A thoughtful remark.",
        "ip_address": "192.0.2.10",
        "user_agent": "Mozilla/5.0 TestBrowser",
    }
    fields.update(overrides)
    if proven:
        fields["commenter_token"] = commenter_token(fields["author_email"])
    return comment_create(**fields)


# --- proof that a reader owns the address ----------------------------------------------


def commenter_token(email: str = READER_EMAIL) -> str:
    """The commenter token of `email`, as a reader gets it by following the mailed
    confirmation link (comments.commenter_proof). Sent with a post or an edit (the
    `commenter_token` argument, the X-Commenter-Token header) it proves the address: only
    then do its earlier comments and its suspensions count."""
    return commenter_token_for_link(token=confirmation_link_token(email=email))


def proof_header(email: str = READER_EMAIL) -> dict[str, str]:
    """The X-Commenter-Token header proving `email`, as extra kwargs of a test client's
    request (`client.post(url, data, **proof_header(email))`)."""
    return {"HTTP_X_COMMENTER_TOKEN": commenter_token(email)}


# --- the public API --------------------------------------------------------------------

# What anyone may read of a listed comment; the author's own answers add "status".
PUBLIC_FIELDS = frozenset(
    {
        "id",
        "parent",
        "author_name",
        "author_url",
        "body",
        "body_html",
        "submitted_at",
        "depth",
        "featured",
        "reaction_count",
    }
)

# The three ways comments on an article close (for tests parametrized with "close").
WAYS_TO_CLOSE = [
    pytest.param(lambda article: set_policy(comments_open=False), id="site-wide"),
    pytest.param(
        lambda article: Article.objects.filter(pk=article.pk).update(comments_enabled=False),
        id="per-article",
    ),
    pytest.param(lambda article: set_policy(close_after_days=7), id="after-7-days"),
]


def comments_url(article) -> str:
    return f"/api/v1/articles/{article.slug}/comments/"


# --- what is stored, what a page shows -------------------------------------------------


def status_of(comment) -> str:
    """The comment's status as stored now."""
    return Comment.objects.values_list("status", flat=True).get(pk=comment.pk)


def comment_count(article) -> int:
    """The article's stored (denormalized) comment_count."""
    return Article.objects.values_list("comment_count", flat=True).get(pk=article.pk)


def admin_action(client, action, objects, *, changelist, follow=False, **data):
    """POST the admin `action` on `objects` as a changelist's form sends it, with `data`
    as further form fields."""
    return client.post(
        changelist,
        {
            "action": action,
            "select_across": "0",
            "index": "0",
            "_selected_action": [str(o.pk) for o in objects],
            **data,
        },
        follow=follow,
    )


# The personal fields of a comment after erasure (export and erasure, the admin page).
ANONYMIZED = {
    "author_name": "Anonymous",
    "author_email": "",
    "author_url": "",
    "user_agent": "",
    "ip_address": None,
    "user_id": None,
    "notify_replies": False,
    "edit_key_hash": "",
}


def text_of(response) -> str:
    """The page's text with tags removed and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
