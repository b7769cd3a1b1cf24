"""With the database task queue (production's), a comment's notification is queued in
the comment's own transaction: one commit for both, nothing queued when it rolls back,
and nothing left for after the commit."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from comments.models import Comment
from comments.services import comment_create
from tests.comments.helpers import comments_url

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = DB_TASKS


def test_a_held_comment_queues_its_notice_in_its_own_transaction(
    api_client, article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as after_commit:
        response = api_client.post(
            comments_url(article),
            {"author_name": "Ada", "author_email": "ada@example.com", "body": "Hello"},
            format="json",
        )
    assert response.status_code == 202
    # The first held comment of a quiet spell queues the moderators' notice, to run once
    # the window closes (tests/comments/test_held_notice.py: the others join it).
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "comments.tasks.notify_held_comments"
    assert queued.args_kwargs["args"] == []
    assert queued.run_after is not None
    # Nothing was left to do after the commit: no second transaction per comment.
    assert after_commit == []


def test_without_a_window_each_held_comment_queues_its_own_notice(
    settings, api_client, article, django_capture_on_commit_callbacks
):
    settings.COMMENTS_HELD_NOTICE_SECONDS = 0
    with django_capture_on_commit_callbacks() as after_commit:
        response = api_client.post(
            comments_url(article),
            {"author_name": "Ada", "author_email": "ada@example.com", "body": "Hello"},
            format="json",
        )
    assert response.status_code == 202
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "comments.tasks.notify_held_comment"
    assert queued.args_kwargs["args"] == [response.json()["id"]]
    assert after_commit == []


def test_a_rolled_back_comment_leaves_no_task(article):
    with pytest.raises(RuntimeError), transaction.atomic():
        comment_create(
            article=article, author_name="Ada", author_email="ada@example.com", body="Hello"
        )
        raise RuntimeError("the request failed after the comment was written")
    assert not Comment.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_with_the_immediate_backend_the_task_waits_for_the_commit(
    settings, api_client, article, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks() as after_commit:
        response = api_client.post(
            comments_url(article),
            {"author_name": "Ada", "author_email": "ada@example.com", "body": "Hello"},
            format="json",
        )
    assert response.status_code == 202
    assert len(after_commit) == 1
    assert not DBTaskResult.objects.exists()
