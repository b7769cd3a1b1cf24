"""Which keys a change purges (docs/deployment.md): exactly those it changed, once
per transaction, after the commit, and nothing at all without CDN_PURGERS.

The purge task is queued on django-tasks' dummy backend here, which keeps what was
queued; the purgers themselves are tested against stub servers (test_cdn_purgers.py).
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django_tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from articles.services import article_archive, article_publish
from comments.models import ModerationPolicy
from comments.moderating import comments_moderate
from comments.reactions import comment_react
from plumbing.cdn import pending
from tests.comments.helpers import make_comment
from tests.factories import ArticleFactory, CategoryFactory, TagFactory
from tests.images import rendered_image

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
LISTS = {"articles", "categories", "tags", "authors", "media", "comments"}


@pytest.fixture
def purging(settings):
    settings.CDN_PURGERS = ["varnish"]
    settings.CDN_PURGE = {"varnish": {"urls": ["http://127.0.0.1:9"]}}
    settings.TASKS = DUMMY_TASKS
    default_task_backend.results.clear()


@pytest.fixture
def purged(django_capture_on_commit_callbacks):
    """Run a change as if its transaction committed; the key sets of the purge tasks it
    queued, one set per task."""

    @contextmanager
    def run():
        queued: list[set[str]] = []
        # The test's own transaction never commits: the purge its setup collected (the
        # factories' saves) would take this change's keys too. Production commits.
        connection._cdn_pending_purge = None
        before = len(default_task_backend.results)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            yield queued
        for result in default_task_backend.results[before:]:
            if result.task.name == "purge_keys":  # not the notification emails
                queued.append(set(result.args[0]))

    return run


def test_editing_a_public_article_purges_its_key_and_no_other(purging, purged):
    article, other = ArticleFactory(), ArticleFactory()
    with purged() as queued:
        article.title = "A better title"
        article.save()
    assert queued == [{f"article-{article.pk}"}]
    assert f"article-{other.pk}" not in queued[0]


def test_saving_a_draft_purges_nothing(purging, purged):
    draft = ArticleFactory(status=Article.Status.DRAFT)
    with purged() as queued:
        draft.title = "Still a draft"
        draft.save()
    assert queued == []


def test_publishing_purges_the_article_its_thread_and_every_list(purging, purged):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    with purged() as queued:
        article_publish(article=draft)
    assert queued == [{f"article-{draft.pk}", f"thread-{draft.pk}", *LISTS}]


def test_unpublishing_and_deleting_purge_the_lists(purging, purged):
    article, other = ArticleFactory(), ArticleFactory()
    with purged() as queued:
        article_archive(article=article)
    assert queued == [{f"article-{article.pk}", f"thread-{article.pk}", *LISTS}]
    with purged() as queued:
        other_pk = other.pk
        other.delete()
    assert queued == [{f"article-{other_pk}", f"thread-{other_pk}", *LISTS}]


def test_moving_an_article_to_another_category_purges_the_lists(purging, purged):
    article, elsewhere = ArticleFactory(), CategoryFactory()
    with purged() as queued:
        article.category = elsewhere
        article.save()
    assert queued == [{f"article-{article.pk}", f"thread-{article.pk}", *LISTS}]


def test_changes_of_one_transaction_are_purged_by_one_task(purging, purged):
    first, second = ArticleFactory(), ArticleFactory()
    with purged() as queued:
        for article in (first, second):
            article.excerpt = "Edited."
            article.save()
    assert queued == [{f"article-{first.pk}", f"article-{second.pk}"}]


def test_a_rolled_back_change_purges_nothing(purging, django_capture_on_commit_callbacks):
    article = ArticleFactory()
    connection._cdn_pending_purge = None
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        article.title = "Never stored"
        article.save()
        raise RuntimeError
    assert default_task_backend.results == []


def test_an_approved_comment_purges_its_thread_and_article_not_other_threads(purging, purged):
    article, other = ArticleFactory(), ArticleFactory()
    make_comment(other)
    held = make_comment(article, status="pending")
    with purged() as queued:
        comments_moderate(ids=[held.pk], status="approved")
    assert queued == [{f"thread-{article.pk}", f"article-{article.pk}", "comments"}]


def test_a_held_comment_purges_nothing(purging, purged, api_client):
    article = ArticleFactory()
    with purged() as queued:
        response = api_client.post(
            f"/api/v1/articles/{article.slug}/comments/",
            {"author_name": "Ada", "author_email": "ada@example.org", "body": "Hello there."},
            format="json",
        )
    assert response.status_code == 202  # held for moderation
    assert queued == []


def test_terms_purge_their_key_and_the_lists(purging, purged):
    parent = CategoryFactory()
    tag = TagFactory()
    article = ArticleFactory(category=CategoryFactory(parent=parent), tags=[tag])
    with purged() as queued:
        parent.name = "Renamed"
        parent.save()
    assert {f"category-{parent.pk}", *LISTS} <= queued[0]
    assert f"article-{article.pk}" not in queued[0]  # the article carries category-<parent>
    with purged() as queued:
        tag.name = "Renamed"
        tag.save()
    assert {f"tag-{tag.pk}", *LISTS} <= queued[0]


def test_the_policy_purges_every_answer(purging, purged):
    policy = ModerationPolicy.load()
    with purged() as queued:
        policy.comments_open = not policy.comments_open
        policy.save()
    assert queued == [{"all"}]


def test_without_purgers_nothing_is_collected_or_queued(settings, monkeypatch, api_client):
    """The default (also `make run` and the benchmarks): no hook, no task row, and the
    comment POST's queries stay as they are (tests/comments/test_api_post.py counts
    them)."""
    settings.CDN_PURGERS = []
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def must_not_run(*args, **kwargs):
        raise AssertionError("collected a purge with CDN_PURGERS empty")

    monkeypatch.setattr(pending, "_pending", must_not_run)
    monkeypatch.setattr(pending, "_enqueue", must_not_run)
    article = ArticleFactory()
    article.title = "Edited"
    article.save()
    comment = make_comment(article, status="pending")
    comments_moderate(ids=[comment.pk], status="approved")
    response = api_client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {"author_name": "Ada", "author_email": "ada@example.org", "body": "Hello there."},
        format="json",
    )
    assert response.status_code == 202
    assert not DBTaskResult.objects.filter(task_path__contains="purge").exists()


def test_a_reaction_purges_its_thread_by_the_article_id(purging, purged):
    """The reactions' signal names the article by slug: the id is read (one query, only
    when a CDN is purged)."""
    article, other = ArticleFactory(), ArticleFactory()
    comment = make_comment(article)
    make_comment(other)
    with purged() as queued:
        comment_react(comment_id=comment.pk, client_key="reader-1")
    assert queued == [{f"thread-{article.pk}", f"article-{article.pk}", "comments"}]


def test_an_image_change_purges_the_articles_using_it(purging, purged):
    image = rendered_image(alt_text="Before")
    using = ArticleFactory(lead_image=image)
    ArticleFactory()
    with purged() as queued:
        image.alt_text = "After"
        image.save()
    assert queued == [{f"image-{image.pk}", "media", f"article-{using.pk}"}]
    unused = rendered_image(alt_text="Nobody's")
    with purged() as queued:
        unused.alt_text = "Still nobody's"
        unused.save()
    assert queued == []
