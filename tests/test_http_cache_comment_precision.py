"""What a comment's approval invalidates (issue #15): its own thread (its comment list,
its article's page) and the list pages that show its article, plus the lists ordered by
comment count. Every other cached answer survives, and nothing is ever stale."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import selectors
from comments.moderating import comments_moderate
from tests.comments.helpers import make_comment
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_in_use(response_cache_on):
    pass


@pytest.fixture
def sections():
    """Two articles in two categories: each category's list shows only its own."""
    return {
        "busy": ArticleFactory(slug="busy", category=CategoryFactory(slug="politics")),
        "quiet": ArticleFactory(slug="quiet", category=CategoryFactory(slug="gardening")),
    }


BUSY_PAGES = (
    "/api/v1/articles/busy/",
    "/api/v1/articles/busy/comments/",
    "/api/v1/articles/?category=politics",
    "/api/v1/articles/",  # shows both
    "/api/v1/articles/?ordering=-comment_count",
)
QUIET_PAGES = (
    "/api/v1/articles/quiet/",
    "/api/v1/articles/quiet/comments/",
    "/api/v1/articles/?category=gardening",
    "/api/v1/categories/",
)


def queries_to_read(client, pages) -> dict[str, int]:
    counts = {}
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200, page
        counts[page] = len(queries.captured_queries)
    return counts


def hits(client, pages) -> set[str]:
    return {page for page, n in queries_to_read(client, pages).items() if n == 0}


@pytest.fixture
def warm(api_client, sections):
    queries_to_read(api_client, BUSY_PAGES + QUIET_PAGES)
    assert hits(api_client, BUSY_PAGES + QUIET_PAGES) == set(BUSY_PAGES + QUIET_PAGES)
    return api_client


def count_in(client, page: str, slug: str) -> int:
    [item] = [i for i in client.get(page).json()["results"] if i["slug"] == slug]
    return item["comment_count"]


def test_an_approved_comment_leaves_the_other_articles_pages_and_lists_cached(warm, sections):
    make_comment(sections["busy"], status="approved")

    assert hits(warm, QUIET_PAGES) == set(QUIET_PAGES)
    assert hits(warm, BUSY_PAGES) == set()


def test_an_approved_comment_is_counted_at_once_wherever_its_article_shows(warm, sections):
    comment = make_comment(sections["busy"], status="approved")

    assert warm.get("/api/v1/articles/busy/").json()["comment_count"] == 1
    for page in ("/api/v1/articles/", "/api/v1/articles/?category=politics"):
        assert count_in(warm, page, "busy") == 1
    assert (
        warm.get("/api/v1/articles/?ordering=-comment_count").json()["results"][0]["slug"] == "busy"
    )

    comments_moderate(ids=[comment.pk], status="removed")
    assert count_in(warm, "/api/v1/articles/", "busy") == 0
    assert warm.get("/api/v1/articles/busy/").json()["comment_count"] == 0


def test_a_held_comment_invalidates_nothing(warm, sections):
    make_comment(sections["busy"], status="pending")
    assert hits(warm, BUSY_PAGES + QUIET_PAGES) == set(BUSY_PAGES + QUIET_PAGES)


def test_a_page_whose_counts_changed_while_it_was_computed_is_not_stored(
    api_client, sections, monkeypatch
):
    # A comment approved between the page's read and the cache's read of the threads'
    # generations: the confirmation sees another count, and the page is not kept.
    real = selectors.discussion_states

    def moved_on(*, article_ids):
        return {
            pk: (count + 1, changed)
            for pk, (count, changed) in real(article_ids=article_ids).items()
        }

    monkeypatch.setattr(selectors, "discussion_states", moved_on)
    queries_to_read(api_client, ["/api/v1/articles/"])
    monkeypatch.setattr(selectors, "discussion_states", real)
    assert queries_to_read(api_client, ["/api/v1/articles/"])["/api/v1/articles/"] > 0
    # Confirmed this time: kept.
    assert queries_to_read(api_client, ["/api/v1/articles/"])["/api/v1/articles/"] == 0
