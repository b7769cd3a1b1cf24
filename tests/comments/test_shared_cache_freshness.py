"""The values a comment POST reads from the shared cache (the moderation policy, "no
sanction anywhere") are never stale: a change by staff applies to the next post."""

from datetime import timedelta

import pytest
from django.utils import timezone

from comments import sanctions
from comments.models import Comment, CommenterSanction
from tests.comments.helpers import comments_url, set_policy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_cache_on")]


def post(client, article, n: int, **extra):
    return client.post(
        comments_url(article),
        {"author_name": "Reader", "author_email": f"r{n}@example.com", "body": f"Words {n}"},
        format="json",
        REMOTE_ADDR=f"192.0.2.{n}",
        **extra,
    )


def test_a_policy_change_applies_to_the_next_post(api_client, article):
    assert post(api_client, article, 1).status_code == 202  # the policy is cached now
    set_policy(default_status="approved", approved_comments_required=0)
    assert post(api_client, article, 2).status_code == 201
    set_policy(comments_open=False)
    assert post(api_client, article, 3).status_code == 403


def test_a_ban_made_after_none_was_cached_applies_to_the_next_post(api_client, article):
    assert post(api_client, article, 1).status_code == 202  # "no sanction" is cached now
    sanctions.commenter_ban(email="r2@example.com", by=None)
    assert post(api_client, article, 2).status_code == 202  # answered like a held one
    assert Comment.objects.get(author_email="r2@example.com").status == Comment.Status.SPAM


def test_a_sanction_due_later_is_not_forgotten_when_it_comes_into_force(
    api_client, article, monkeypatch
):
    now = timezone.now()
    sanctions.sanction_create(
        kind=CommenterSanction.Kind.BAN, email="r3@example.com", starts_at=now + timedelta(hours=1)
    )
    assert post(api_client, article, 1).status_code == 202  # caches what it found
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=2))
    assert post(api_client, article, 3).status_code == 202
    assert Comment.objects.get(author_email="r3@example.com").status == Comment.Status.SPAM


def test_lifting_the_last_sanction_lets_the_commenter_post_again(api_client, article):
    ban = sanctions.commenter_ban(email="r4@example.com", by=None)
    assert post(api_client, article, 1).status_code == 202
    sanctions.sanction_lift(sanction=ban, by=None)
    set_policy(default_status="approved", approved_comments_required=0)
    assert post(api_client, article, 4).status_code == 201
