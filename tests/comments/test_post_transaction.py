"""A new comment's moderation pipeline reads before its write transaction opens
(comments.services.comment_create): no savepoint around the steps, the writes alone in
the transaction; and when nothing is stored after all, the flood gates the submission
closed open again, so the reader may send it again at once."""

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from tests.comments.helpers import comments_url, make_comment, set_policy

EMAIL = "reader@example.com"


def comment(**overrides) -> dict:
    return {"author_name": "Reader", "author_email": EMAIL, "body": "Words.", **overrides}


@pytest.mark.django_db(transaction=True)
def test_the_pipeline_reads_before_the_transaction_and_takes_no_savepoint(api_client, article):
    set_policy(flood_interval_seconds=30)
    with CaptureQueriesContext(connection) as captured:
        response = api_client.post(comments_url(article), comment(), format="json")
    assert response.status_code == 202
    statements = [q["sql"].lstrip().upper() for q in captured.captured_queries]
    assert not [s for s in statements if s.startswith(("SAVEPOINT", "RELEASE"))]
    first_write = next(i for i, s in enumerate(statements) if s.startswith("INSERT"))
    reads = [i for i, s in enumerate(statements) if "COUNT(*) FILTER" in s]
    assert reads and max(reads) < first_write  # the posting aggregate came first
    assert Comment.objects.count() == 1


@pytest.mark.django_db
def test_a_reply_to_a_hidden_parent_leaves_the_flood_gates_open(api_client, article):
    set_policy(flood_interval_seconds=30)
    hidden = make_comment(article, status="removed")

    refused = api_client.post(comments_url(article), comment(parent=hidden.pk), format="json")
    assert refused.status_code == 400 and "parent" in refused.json()

    again = api_client.post(comments_url(article), comment(), format="json")
    assert again.status_code == 202  # not 429: the refused reply stored nothing
    flooded = api_client.post(comments_url(article), comment(body="More."), format="json")
    assert flooded.status_code == 429  # the stored one closed the gates as before


@pytest.mark.django_db
def test_a_failed_write_leaves_the_flood_gates_open(api_client, article, monkeypatch):
    set_policy(flood_interval_seconds=30)
    original = Comment.objects.create

    def failing(**fields):
        raise OperationalError("the disk is full")

    monkeypatch.setattr(Comment.objects, "create", failing)
    failed = api_client.post(comments_url(article), comment(), format="json")
    assert failed.status_code == 503
    monkeypatch.setattr(Comment.objects, "create", original)

    again = api_client.post(comments_url(article), comment(), format="json")
    assert again.status_code == 202
    assert Comment.objects.count() == 1
