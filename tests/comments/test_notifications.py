"""Notification emails, sent by background tasks after the transaction commits."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment
from comments.moderating import comments_moderate
from comments.notifications import unsubscribe_token
from tests.factories import ArticleFactory, AuthorFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

COMMENTER_EMAIL = "commenter.private@reader.example"


@pytest.fixture
def article():
    author = AuthorFactory(name="Ana Lima", email="ana@newsroom.example")
    return ArticleFactory(slug="story", author=author)


@pytest.fixture
def moderator():
    return StaffUserFactory(username="mod", email="moderator@newsroom.example")


def post(client, payload, ip="203.0.113.10"):
    return client.post(
        "/api/v1/articles/story/comments/",
        data=json.dumps(payload),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def comment_payload(**overrides):
    payload = {"author_name": "Reader", "author_email": COMMENTER_EMAIL, "body": "Words."}
    payload.update(overrides)
    return payload


def test_held_comment_emails_the_moderators_after_commit(
    client, policy, article, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(client, comment_payload())

    assert response.status_code == 202
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["moderator@newsroom.example"]
    assert "Please moderate" in message.subject
    # Staff may see who wrote it: the moderator email carries the address and IP.
    assert COMMENTER_EMAIL in message.body
    assert "203.0.113.10" in message.body


def test_nothing_is_sent_before_the_transaction_commits(
    client, policy, article, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post(client, comment_payload())
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_spam_sends_no_email(
    client, policy, article, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, comment_payload(honeypot="I am a bot"))
    assert response.status_code == 202
    assert Comment.objects.get().status == Comment.Status.SPAM
    assert mailoutbox == []


def test_approval_emails_the_article_author_without_the_commenters_address(
    policy, article, moderator, mailoutbox, django_capture_on_commit_callbacks, client
):
    post(client, comment_payload())
    comment = Comment.objects.get()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        comments_moderate(ids=[comment.pk], status="approved", moderator=moderator)

    assert [m.to for m in mailoutbox] == [["ana@newsroom.example"]]
    assert "Reader commented" in mailoutbox[0].body
    assert COMMENTER_EMAIL not in mailoutbox[0].body


def test_article_author_notification_can_be_turned_off(
    settings, policy, article, mailoutbox, django_capture_on_commit_callbacks, client
):
    settings.COMMENTS_NOTIFY_ARTICLE_AUTHOR = False
    post(client, comment_payload())
    comment = Comment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        comments_moderate(ids=[comment.pk], status="approved")
    assert mailoutbox == []


def test_reply_notifies_the_subscribed_reader_once_with_a_working_unsubscribe_link(
    client, policy, article, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.COMMENTS_NOTIFY_ARTICLE_AUTHOR = False
    policy.default_status = "approved"
    policy.approved_comments_required = 0  # the first comment is published at once
    policy.save()
    post(client, comment_payload(notify_replies=True))
    parent = Comment.objects.get()
    assert parent.notify_replies is True

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            {
                "author_name": "Replier",
                "author_email": "replier@else.example",
                "body": "Re!",
                "parent": parent.pk,
            },
            ip="203.0.113.11",
        )
    assert response.status_code == 201
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [COMMENTER_EMAIL]
    assert "Replier replied" in message.body
    assert "replier@else.example" not in message.body  # the replier's address stays private
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body

    # Re-approving the reply does not send the email again.
    reply = Comment.objects.get(author_name="Replier")
    with django_capture_on_commit_callbacks(execute=True):
        comments_moderate(ids=[reply.pk], status="pending")
        comments_moderate(ids=[reply.pk], status="approved")
    assert len(mailoutbox) == 1

    path = unsubscribe.split("://", 1)[1].split("/", 1)[1]
    answer = client.get("/" + path)
    assert answer.status_code == 200
    assert "no longer" in answer.json()["detail"]
    parent.refresh_from_db()
    assert parent.notify_replies is False


def test_reader_not_subscribed_gets_no_reply_email(
    client, policy, article, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.COMMENTS_NOTIFY_ARTICLE_AUTHOR = False
    policy.default_status = "approved"
    policy.approved_comments_required = 0  # the first comment is published at once
    policy.save()
    post(client, comment_payload())
    parent = Comment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        post(
            client,
            {
                "author_name": "R",
                "author_email": "r@else.example",
                "body": "Re",
                "parent": parent.pk,
            },
            ip="203.0.113.12",
        )
    assert mailoutbox == []


def test_unsubscribe_post_one_click_and_forged_tokens(client, policy, article):
    from tests.comments.factories import CommentFactory

    comment = CommentFactory(article=article, notify_replies=True, author_email=COMMENTER_EMAIL)
    other = CommentFactory(
        article=article, notify_replies=True, author_email="someone@else.example"
    )

    forged = client.post(
        "/api/v1/comments/unsubscribe/?token=" + unsubscribe_token(comment)[:-2] + "xx"
    )
    assert forged.status_code == 400
    assert "token" in forged.json()
    assert client.get("/api/v1/comments/unsubscribe/").status_code == 400

    response = client.post(
        "/api/v1/comments/unsubscribe/?token=" + unsubscribe_token(comment),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    comment.refresh_from_db()
    other.refresh_from_db()
    assert comment.notify_replies is False
    assert other.notify_replies is True  # only that reader's subscriptions


def test_with_the_database_backend_tasks_wait_for_the_worker(
    client,
    policy,
    article,
    moderator,
    mailoutbox,
    django_capture_on_commit_callbacks,
    settings,
    monkeypatch,
):
    from django_tasks_db.models import DBTaskResult

    # The worker closes stale connections between tasks; inside the test's transaction
    # that would close the test's own connection (PostgreSQL), so keep it open.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, comment_payload()).status_code == 202

    assert mailoutbox == []  # queued, not sent in the request
    assert DBTaskResult.objects.count() == 1

    # The notice waits for its window (COMMENTS_HELD_NOTICE_SECONDS) to close, so the
    # comments held meanwhile join it: the worker leaves it until then.
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert mailoutbox == []
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["moderator@newsroom.example"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_queue_failure_does_not_fail_the_post(
    client, policy, article, moderator, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    from django_tasks.backends.immediate import ImmediateBackend

    def broken(*args, **kwargs):
        raise RuntimeError("queue down")

    monkeypatch.setattr(ImmediateBackend, "enqueue", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, comment_payload())
    assert response.status_code == 202
    assert Comment.objects.count() == 1
    assert mailoutbox == []
