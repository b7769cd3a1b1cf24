"""The article list's total is kept between changes (articles.api.pagination.StoredCountPagination):
COUNT(*) over every visible article runs once per change, not on every request, and
the total is never stale after a change or a scheduled publication."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.services import article_archive
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _response_cache_off(settings):
    # The database path: what the count cache saves is visible in the queries.
    settings.API_RESPONSE_CACHE = False
    settings.API_COUNT_CACHE = True


def list_count(client, url="/api/v1/articles/"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    return response.json()["count"], len(counts)


def test_the_total_is_counted_once_then_read_from_the_cache(api_client):
    ArticleFactory.create_batch(3)

    assert list_count(api_client) == (3, 1)
    assert list_count(api_client) == (3, 0)
    assert list_count(api_client, "/api/v1/articles/?page_size=1&ordering=title") == (3, 0)


def test_each_filter_has_its_own_total(api_client):
    news = CategoryFactory(slug="news")
    ArticleFactory(category=news)
    ArticleFactory.create_batch(2)

    assert list_count(api_client) == (3, 1)
    assert list_count(api_client, "/api/v1/articles/?category=news") == (1, 1)
    assert list_count(api_client, "/api/v1/articles/?category=news") == (1, 0)


def test_a_change_to_an_article_is_counted_again(api_client):
    first, _ = ArticleFactory.create_batch(2)
    assert list_count(api_client) == (2, 1)

    article_archive(article=first)

    assert list_count(api_client) == (1, 1)


def test_a_new_article_is_counted(api_client):
    ArticleFactory()
    assert list_count(api_client) == (1, 1)

    ArticleFactory()

    assert list_count(api_client) == (2, 1)


def test_a_scheduled_article_is_counted_once_it_is_due(api_client):
    now = timezone.now()
    ArticleFactory(published_at=now - timedelta(hours=1))
    ArticleFactory(status=Article.Status.SCHEDULED, published_at=now + timedelta(seconds=5))
    assert list_count(api_client) == (1, 1)
    assert list_count(api_client) == (1, 0)

    later = now + timedelta(seconds=6)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert list_count(api_client) == (2, 1)


def test_the_switch_turns_it_off(api_client, settings):
    settings.API_COUNT_CACHE = False
    ArticleFactory()

    assert list_count(api_client) == (1, 1)
    assert list_count(api_client) == (1, 1)


def test_with_the_total_stored_the_page_asks_nothing_of_the_schedule_yet_expires_with_it(
    api_client,
):
    # #15: the next publication is stored with the count, so the page query drops its
    # subquery (a sixth of a cold list), and the answer still lasts no longer than
    # until the next scheduled article goes live.
    now = timezone.now()
    ArticleFactory(published_at=now - timedelta(hours=1))
    due = now + timedelta(hours=1)
    ArticleFactory(status=Article.Status.SCHEDULED, published_at=due)

    answers, pages = [], []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            answers.append(api_client.get("/api/v1/articles/"))
        [page] = [q["sql"] for q in queries.captured_queries if "LIMIT" in q["sql"].upper()]
        pages.append(page)

    assert pages[0].upper().count("SELECT") == 2  # the page and its next-publication subquery
    assert pages[1].upper().count("SELECT") == 1
    for answer in answers:
        assert answer.json()["count"] == 1
        assert answer._cache_expires_at == pytest.approx(due.timestamp(), abs=1)


def test_the_categories_list_runs_one_query_on_a_warm_count_and_stays_right(
    api_client, django_assert_num_queries
):
    # #15: the navigation's count, next publication and not-yet-visible articles are
    # kept with the count: one query (the page) while they hold, and the counts move
    # when a scheduled article goes live or an article changes.
    now = timezone.now()
    news = CategoryFactory(slug="news")
    local = CategoryFactory(slug="local", parent=news)
    ArticleFactory(category=local, published_at=now - timedelta(hours=1))
    ArticleFactory(
        category=local, status=Article.Status.SCHEDULED, published_at=now + timedelta(seconds=5)
    )

    def counts():
        answer = api_client.get("/api/v1/categories/")
        assert answer.status_code == 200
        return {item["slug"]: item["article_count"] for item in answer.json()["results"]}

    with django_assert_num_queries(3):  # count, page, the articles not visible yet
        assert counts() == {"news": 1, "local": 1}
    with django_assert_num_queries(1):
        assert counts() == {"news": 1, "local": 1}

    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(seconds=6)):
        assert counts() == {"news": 2, "local": 2}

    article_archive(article=Article.objects.filter(category=local).first())
    assert sum(counts().values()) == 2  # one of the two left, in both
