"""Moderators hear of held comments in one email per window
(COMMENTS_HELD_NOTICE_SECONDS), not one per comment: the first held comment of a quiet
spell queues the sweep, the others join it (comments.tasks.held_comment_announce)."""

import json

import pytest
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult

from comments import notifications, tasks
from comments.models import Comment
from tests.factories import ArticleFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.COMMENTS_HELD_NOTICE_SECONDS = 60


@pytest.fixture
def moderator():
    return StaffUserFactory(username="mod", email="moderator@newsroom.example")


@pytest.fixture
def article():
    return ArticleFactory(slug="story", title="The Story")


def post(client, n: int):
    response = client.post(
        "/api/v1/articles/story/comments/",
        data=json.dumps(
            {"author_name": f"Reader {n}", "author_email": f"r{n}@example.com", "body": f"No. {n}"}
        ),
        content_type="application/json",
        REMOTE_ADDR=f"203.0.113.{n}",
    )
    assert response.status_code == 202
    return response.json()["id"]


def queued_paths() -> list[str]:
    return list(DBTaskResult.objects.order_by("enqueued_at").values_list("task_path", flat=True))


def test_comments_held_in_one_window_share_one_notice(
    client, policy, article, moderator, mailoutbox
):
    ids = [post(client, n) for n in (1, 2, 3)]
    assert queued_paths() == ["comments.tasks.notify_held_comments"]
    assert tasks.notify_held_comments.call() == 1
    [message] = mailoutbox
    assert message.to == ["moderator@newsroom.example"]
    assert message.subject.endswith("Please moderate: 3 new comments")
    for n in (1, 2, 3):  # staff may see who wrote each
        assert f"r{n}@example.com" in message.body and f"203.0.113.{n}" in message.body
    assert set(Comment.objects.filter(pk__in=ids).values_list("held_notified_at", flat=True))
    assert None not in Comment.objects.filter(pk__in=ids).values_list("held_notified_at", flat=True)
    # Claimed: a second sweep (or a late per-comment notice) announces nothing again.
    assert tasks.notify_held_comments.call() == 0
    assert tasks.notify_held_comment.call(ids[0]) == 0
    assert len(mailoutbox) == 1


def test_a_single_held_comment_is_named_by_its_article(
    client, policy, article, moderator, mailoutbox
):
    post(client, 1)
    tasks.notify_held_comments.call()
    [message] = mailoutbox
    assert message.subject.endswith("Please moderate: “The Story”")
    assert "A new comment is waiting for moderation." in message.body


def test_a_comment_moderated_before_the_sweep_is_left_out(
    client, policy, article, moderator, mailoutbox
):
    first, second = post(client, 1), post(client, 2)
    Comment.objects.filter(pk=first).update(status=Comment.Status.APPROVED)
    tasks.notify_held_comments.call()
    [message] = mailoutbox
    assert "r2@example.com" in message.body and "r1@example.com" not in message.body
    Comment.objects.filter(pk=second).update(status=Comment.Status.SPAM)
    post(client, 3)
    Comment.objects.filter(author_email="r3@example.com").update(status=Comment.Status.SPAM)
    assert tasks.notify_held_comments.call() == 0  # nothing left held: no email
    assert len(mailoutbox) == 1


def test_a_long_queue_lists_the_first_and_counts_the_rest(
    client, policy, article, moderator, mailoutbox, monkeypatch
):
    monkeypatch.setattr(notifications, "HELD_NOTICE_LISTED", 2)
    for n in (1, 2, 3, 4):
        post(client, n)
    tasks.notify_held_comments.call()
    [message] = mailoutbox
    assert "4 new comments" in message.subject
    assert "r1@example.com" in message.body and "r2@example.com" in message.body
    assert "r3@example.com" not in message.body
    assert "…and 2 more." in message.body


def test_after_the_window_the_next_held_comment_queues_a_new_sweep(client, policy, article):
    post(client, 1)
    post(client, 2)
    cache.delete(tasks.HELD_NOTICE_KEY)  # the window closed
    post(client, 3)
    assert queued_paths() == ["comments.tasks.notify_held_comments"] * 2
    run_after = list(DBTaskResult.objects.values_list("run_after", flat=True))
    assert all(run_after)


def test_when_the_cache_cannot_answer_each_comment_gets_its_own_notice(
    client, policy, article, monkeypatch
):
    monkeypatch.setattr(tasks.django_cache, "add", lambda *args, **kwargs: None)
    ids = [post(client, n) for n in (1, 2)]
    assert queued_paths() == ["comments.tasks.notify_held_comment"] * 2
    assert [r.args_kwargs["args"] for r in DBTaskResult.objects.order_by("enqueued_at")] == [
        [ids[0]],
        [ids[1]],
    ]


def test_a_queue_that_cannot_wait_sends_one_notice_per_comment(
    settings, client, policy, article, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        post(client, 1)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, 2)
    assert len(mailoutbox) == 2


def test_a_comment_joining_an_open_window_writes_nothing_to_the_queue(
    client, policy, article, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        post(client, 1)
    queue_table = DBTaskResult._meta.db_table
    assert sum(queue_table in q["sql"] for q in first.captured_queries) == 1
    # The same post less the queue's savepoint, insert and release.
    with django_assert_num_queries(len(first.captured_queries) - 3):
        post(client, 2)
    assert DBTaskResult.objects.count() == 1
