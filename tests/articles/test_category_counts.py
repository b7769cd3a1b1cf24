"""The stored category counts (articles.category_counts): every article write that changes
what a category counts recounts it, a scheduled article counts from its time on with no
write, and reading the categories never counts the articles table."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Category
from articles.signals import bulk_content_changed
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """news > world, and an unrelated root "sport"."""
    news = CategoryFactory(slug="news")
    world = CategoryFactory(slug="world", parent=news)
    sport = CategoryFactory(slug="sport")
    return {c.slug: c for c in (news, world, sport)}


def counts(client) -> dict[str, int]:
    response = client.get("/api/v1/categories/")
    assert response.status_code == 200
    return {item["slug"]: item["article_count"] for item in response.json()["results"]}


def stored(slug: str) -> int:
    return Category.objects.get(slug=slug).public_article_count


def test_publishing_moving_archiving_and_deleting_keep_the_counts(api_client, tree):
    article = ArticleFactory(category=tree["world"], status=Article.Status.DRAFT)
    assert counts(api_client) == {"news": 0, "world": 0, "sport": 0}

    article.status = Article.Status.PUBLISHED
    article.save()
    assert counts(api_client) == {"news": 1, "world": 1, "sport": 0}

    article.category = tree["sport"]
    article.save()
    assert counts(api_client) == {"news": 0, "world": 0, "sport": 1}
    assert (stored("world"), stored("sport")) == (0, 1)

    article.status = Article.Status.ARCHIVED
    article.save()
    assert counts(api_client) == {"news": 0, "world": 0, "sport": 0}

    article.status = Article.Status.PUBLISHED
    article.category = tree["news"]
    article.save()
    assert counts(api_client) == {"news": 1, "world": 0, "sport": 0}

    article.delete()
    assert counts(api_client) == {"news": 0, "world": 0, "sport": 0}
    assert stored("news") == 0


def test_a_scheduled_article_counts_once_its_time_has_come_without_any_write(
    api_client, tree, monkeypatch
):
    now = timezone.now()
    ArticleFactory(category=tree["world"], published_at=now - timedelta(days=1))
    ArticleFactory(
        category=tree["world"],
        status=Article.Status.SCHEDULED,
        published_at=now + timedelta(hours=1),
    )
    # Stored: both are public; shown: only the one whose time has come.
    assert stored("world") == 2
    assert counts(api_client) == {"news": 1, "world": 1, "sport": 0}

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=2))
    assert counts(api_client) == {"news": 2, "world": 2, "sport": 0}
    assert api_client.get("/api/v1/categories/news/").json()["article_count"] == 2


def test_a_bulk_write_recounts_every_category(api_client, tree):
    ArticleFactory(category=tree["world"])
    # Rows written behind the ORM's back, as an import's bulk writes are.
    Article.objects.filter(category=tree["world"]).update(category=tree["sport"])
    Category.objects.update(public_article_count=0)
    bulk_content_changed.send(sender=None)
    assert counts(api_client) == {"news": 0, "world": 0, "sport": 1}


def test_reading_the_categories_never_counts_the_articles_table(api_client, tree):
    # Public articles dated in the past are not read one by one: the only read of the
    # article table is the future-dated range (published_at > now).
    ArticleFactory.create_batch(5, category=tree["world"])
    with CaptureQueriesContext(connection) as queries:
        counts(api_client)
    article_table = Article._meta.db_table
    reads = [q["sql"] for q in queries.captured_queries if article_table in q["sql"]]
    assert len(reads) == 2, reads  # the future-dated range, and the next publication time
    for sql in reads:
        # Each read of the article table is bounded to the future-dated range.
        assert sql.count(f'FROM "{article_table}"') == sql.count('"published_at" >')


def test_moving_a_category_moves_its_counts(api_client, tree):
    ArticleFactory.create_batch(2, category=tree["world"])
    assert counts(api_client) == {"news": 2, "world": 2, "sport": 0}
    world = tree["world"]
    world.parent = tree["sport"]
    world.save()
    assert counts(api_client) == {"news": 0, "world": 2, "sport": 2}
    assert api_client.get("/api/v1/categories/sport/").json()["article_count"] == 2


@pytest.mark.parametrize("articles", [1, 30])
def test_the_categories_list_runs_the_same_queries_whatever_the_article_count(
    api_client, tree, articles, django_assert_num_queries
):
    ArticleFactory.create_batch(articles, category=tree["world"])
    # The page count, the page (stored subtree counts), the future-dated public articles.
    with django_assert_num_queries(3):
        assert counts(api_client)["news"] == articles
