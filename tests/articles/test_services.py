"""The publishing workflow's services: publish (now or scheduled) and archive."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from articles.services import article_archive, article_publish, articles_publish
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def draft(**kwargs) -> Article:
    return ArticleFactory(status=Article.Status.DRAFT, **{"published_at": None, **kwargs})


def test_publishing_with_a_future_date_schedules_the_article(api_client):
    when = timezone.now() + timedelta(days=2)
    article = draft(published_at=when)

    article_publish(article=article)

    article.refresh_from_db()
    assert article.status == Article.Status.SCHEDULED
    assert article.published_at == when
    assert api_client.get(f"/api/v1/articles/{article.slug}/").status_code == 404


def test_publishing_without_a_date_publishes_now(api_client):
    article = draft()
    before = timezone.now()

    article_publish(article=article)

    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert before <= article.published_at <= timezone.now()
    assert api_client.get(f"/api/v1/articles/{article.slug}/").status_code == 200


def test_publishing_with_a_past_date_keeps_the_date(api_client):
    when = timezone.now() - timedelta(days=3)
    article = draft(published_at=when)

    article_publish(article=article)

    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == when


def test_publishing_at_a_given_now_uses_it():
    now = timezone.now()
    article = draft(published_at=now + timedelta(minutes=1))

    article_publish(article=article, now=now + timedelta(minutes=2))

    assert article.status == Article.Status.PUBLISHED


def test_archiving_hides_the_article(api_client):
    article = ArticleFactory()
    assert api_client.get(f"/api/v1/articles/{article.slug}/").status_code == 200

    article_archive(article=article)

    article.refresh_from_db()
    assert article.status == Article.Status.ARCHIVED
    assert api_client.get(f"/api/v1/articles/{article.slug}/").status_code == 404
    assert api_client.get("/api/v1/articles/").json()["count"] == 0


def test_bulk_publish_counts_and_publishes_each_article():
    articles = [draft(), draft(published_at=timezone.now() + timedelta(days=1))]

    assert articles_publish(articles=articles) == 2

    statuses = sorted(Article.objects.values_list("status", flat=True))
    assert statuses == [Article.Status.PUBLISHED, Article.Status.SCHEDULED]


def test_each_workflow_change_is_recorded_in_history():
    article = draft()
    article_publish(article=article)
    article_archive(article=article)

    history = list(article.history.order_by("history_date").values_list("status", flat=True))
    assert history == ["draft", "published", "archived"]
