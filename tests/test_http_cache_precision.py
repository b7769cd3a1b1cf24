"""What an editor's save invalidates (issue #15): only changes the public can see. A
draft, an article in review or an archived one can be saved all day without costing the
readers their cached answers; anything that shows, or moves when something goes live,
still invalidates (freshness is tested at length in test_http_cache.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.services import article_publish
from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db

PAGES = ("/api/v1/articles/", "/api/v1/articles/story/", "/api/v1/categories/")


@pytest.fixture(autouse=True)
def _cache_in_use(response_cache_on):
    pass


@pytest.fixture
def story():
    story = ArticleFactory(slug="story", title="The story")
    story.tags.set([TagFactory(slug="elections")])
    return story


def article(story, **fields) -> Article:
    """Another article in the story's category, by its author: creating it saves no
    category or author (those are public and would invalidate by themselves)."""
    return ArticleFactory(category=story.category, author=story.author, **fields)


def queries_to_read(client) -> list[int]:
    counts = []
    for page in PAGES:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        counts.append(len(queries.captured_queries))
    return counts


@pytest.fixture
def warm(api_client, story):
    """The public pages, read once: from now on each is a hit (0 queries) until
    something invalidates it."""
    queries_to_read(api_client)
    assert queries_to_read(api_client) == [0, 0, 0]
    return api_client


def test_saving_drafts_and_reviews_invalidates_nothing(warm, story):
    draft = article(story, status=Article.Status.DRAFT, title="Work in progress")
    draft.title = "Still in progress"
    draft.save()
    draft.tags.set(story.tags.all())
    draft.status = Article.Status.REVIEW
    draft.save()

    assert queries_to_read(warm) == [0, 0, 0]


def test_editing_an_archived_article_invalidates_nothing(warm, story):
    archived = article(story, status=Article.Status.ARCHIVED)
    archived.body = "<p>Corrected for the record.</p>"
    archived.save()
    archived.delete()

    assert queries_to_read(warm) == [0, 0, 0]


def test_a_future_article_invalidates_only_when_its_time_moves(warm, story):
    later = timezone.now() + timedelta(days=2)
    upcoming = article(story, status=Article.Status.SCHEDULED, published_at=later)
    # Created: the lists must now expire when it goes live.
    assert 0 not in queries_to_read(warm)[:1]
    queries_to_read(warm)

    upcoming.title = "A better headline"
    upcoming.save()
    assert queries_to_read(warm) == [0, 0, 0]

    upcoming.published_at = later - timedelta(days=1)
    upcoming.save()
    assert queries_to_read(warm)[0] > 0


def test_publishing_a_draft_is_seen_at_once(warm, story):
    draft = article(story, status=Article.Status.DRAFT, slug="breaking", title="Breaking")
    assert queries_to_read(warm) == [0, 0, 0]

    article_publish(article=draft)

    slugs = [row["slug"] for row in warm.get("/api/v1/articles/").json()["results"]]
    assert "breaking" in slugs


def test_editing_a_visible_article_is_seen_at_once(warm, story):
    story.title = "The corrected story"
    story.save()

    assert warm.get("/api/v1/articles/story/").json()["title"] == "The corrected story"


def test_editing_what_only_staff_see_of_a_visible_article_invalidates_nothing(warm, story):
    before = story.updated_at
    story.comments_premoderate = True
    story.comments_premoderate_links = True
    story.save()

    assert queries_to_read(warm) == [0, 0, 0]
    story.refresh_from_db()
    assert story.updated_at == before


def test_editing_what_the_public_sees_moves_updated_at_and_is_seen_at_once(warm, story):
    before = story.updated_at
    story.title = "The story, corrected"
    story.save()

    detail = warm.get("/api/v1/articles/story/").json()
    assert detail["title"] == "The story, corrected"
    story.refresh_from_db()
    assert story.updated_at > before
    assert warm.get("/api/v1/articles/").json()["results"][0]["title"] == "The story, corrected"
