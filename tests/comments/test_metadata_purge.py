"""`manage.py purge_comment_metadata`: IP addresses and user agents are kept for the
policy's `metadata_retention_days` (30) and then removed; nothing else changes."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments import tasks
from comments.models import Comment, ModerationPolicy
from tests.comments.factories import CommentFactory
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def aged(days: float, **fields) -> Comment:
    return CommentFactory(
        submitted_at=timezone.now() - timedelta(days=days),
        ip_address=fields.pop("ip_address", "203.0.113.77"),
        user_agent=fields.pop("user_agent", "PurgeBrowser/2.0"),
        **fields,
    )


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_comment_metadata", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def metadata(comment) -> tuple:
    return Comment.objects.filter(pk=comment.pk).values_list("ip_address", "user_agent").get()


def other_columns(comment) -> dict:
    values = Comment.objects.filter(pk=comment.pk).values().get()
    values.pop("ip_address")
    values.pop("user_agent")
    return values


def test_old_metadata_is_removed_and_recent_metadata_kept():
    old = aged(90)
    just_old = aged(30, ip_address="2001:db8::1")
    just_recent = aged(29.9)
    recent = aged(0.01)
    untouched = {c.pk: other_columns(c) for c in (old, just_old, just_recent, recent)}

    output = purge()

    assert metadata(old) == (None, "")
    assert metadata(just_old) == (None, "")
    assert metadata(just_recent) == ("203.0.113.77", "PurgeBrowser/2.0")
    assert metadata(recent) == ("203.0.113.77", "PurgeBrowser/2.0")
    # Only the two columns: names, emails, bodies, statuses and threads stay.
    for comment in (old, just_old, just_recent, recent):
        assert other_columns(comment) == untouched[comment.pk]
    assert "2 comment(s)" in output
    assert "30 days" in output


def test_every_status_is_purged():
    comments = [
        aged(40, status=status, is_listed=status == "approved") for status in Comment.Status.values
    ]
    purge()
    assert [metadata(c) for c in comments] == [(None, "")] * len(comments)


def test_a_comment_with_only_one_of_the_two_is_purged():
    only_ip = aged(40, user_agent="")
    only_agent = aged(40, ip_address=None)
    purge()
    assert metadata(only_ip) == (None, "")
    assert metadata(only_agent) == (None, "")


def test_running_it_again_changes_nothing():
    aged(40)
    assert "1 comment(s)" in purge()
    assert "0 comment(s)" in purge()


def test_the_retention_follows_the_policy():
    policy = ModerationPolicy.load()
    assert policy.metadata_retention_days == 30
    policy.metadata_retention_days = 7
    policy.save()
    week_old = aged(8)
    days_old = aged(6)

    output = purge()

    assert metadata(week_old) == (None, "")
    assert metadata(days_old) == ("203.0.113.77", "PurgeBrowser/2.0")
    assert "7 days" in output


def test_days_overrides_the_policy():
    two_months = aged(61)
    forty_days = aged(40)

    output = purge("--days", "60")

    assert metadata(two_months) == (None, "")
    assert metadata(forty_days) == ("203.0.113.77", "PurgeBrowser/2.0")
    assert "60 days" in output

    purge("--days=1")
    assert metadata(forty_days) == (None, "")


@pytest.mark.parametrize("days", ["0", "-3"])
def test_days_must_be_positive(days):
    comment = aged(400)
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("purge_comment_metadata", "--days", days, stdout=StringIO(), stderr=err)
    assert exit_info.value.code != 0
    assert "--days must be at least 1" in err.getvalue()
    assert metadata(comment) == ("203.0.113.77", "PurgeBrowser/2.0")


def test_flood_control_still_works_after_a_purge(api_client):
    policy = ModerationPolicy.load()
    assert policy.flood_interval_seconds == 15
    article = ArticleFactory(slug="flooded")
    aged(45, article=article)  # an old comment, purged below
    url = f"/api/v1/articles/{article.slug}/comments/"
    first = api_client.post(
        url,
        {"author_name": "Fast", "author_email": "fast@example.com", "body": "One."},
        format="json",
        REMOTE_ADDR="198.51.100.99",
    )
    assert first.status_code in (201, 202)

    purge()
    cache.clear()  # only the stored comment's IP can tell now

    second = api_client.post(
        url,
        {"author_name": "Fast again", "author_email": "other@example.com", "body": "Two."},
        format="json",
        REMOTE_ADDR="198.51.100.99",
    )
    assert second.status_code == 429
    assert int(second["Retry-After"]) >= 1
    recent = Comment.objects.get(pk=first.json()["id"])
    assert recent.ip_address == "198.51.100.99"


# --- scheduling with the task worker ----------------------------------------------------


def test_schedule_needs_a_backend_that_can_run_tasks_later():
    old = aged(90)
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("purge_comment_metadata", "--schedule", stdout=StringIO(), stderr=err)
    assert exit_info.value.code != 0
    assert "TASKS_BACKEND=database" in err.getvalue()
    assert metadata(old) == ("203.0.113.77", "PurgeBrowser/2.0")  # nothing ran


def test_schedule_queues_the_purge_for_the_database_worker(settings):
    settings.TASKS = DB_TASKS
    old = aged(90)

    output = purge("--schedule")

    assert "Queued" in output
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "comments.tasks.purge_comment_metadata"
    assert queued.args_kwargs == {"args": [24], "kwargs": {}}
    assert queued.status == "READY"
    assert list(DBTaskResult.objects.ready()) == [queued]  # the worker takes it now
    # Queued, not run: the worker does it.
    assert metadata(old) == ("203.0.113.77", "PurgeBrowser/2.0")


def test_the_task_purges_and_requeues_itself_a_day_later(settings):
    settings.TASKS = DB_TASKS
    old = aged(90)
    recent = aged(1)

    purged = tasks.purge_comment_metadata.call(24)

    assert purged == 1
    assert metadata(old) == (None, "")
    assert metadata(recent) == ("203.0.113.77", "PurgeBrowser/2.0")
    [following] = DBTaskResult.objects.all()
    assert following.task_path == "comments.tasks.purge_comment_metadata"
    assert following.args_kwargs == {"args": [24], "kwargs": {}}
    expected = timezone.now() + timedelta(hours=24)
    assert abs((following.run_after - expected).total_seconds()) < 60
    assert not DBTaskResult.objects.ready().exists()  # not before tomorrow


def test_the_task_run_once_does_not_requeue(settings):
    settings.TASKS = DB_TASKS
    aged(90)
    assert tasks.purge_comment_metadata.call() == 1
    assert not DBTaskResult.objects.exists()
