"""Which articles the public can read: decided by status and publication time at query time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

Status = Article.Status
HOUR = timedelta(hours=1)


def listed_slugs(client) -> list[str]:
    response = client.get("/api/v1/articles/")
    assert response.status_code == 200
    return [item["slug"] for item in response.json()["results"]]


def case(status, offset, visible):
    when = {None: "undated", -HOUR: "past", HOUR: "future"}[offset]
    return pytest.param(status, offset, visible, id=f"{status}-{when}")


@pytest.mark.parametrize(
    ("status", "offset", "visible"),
    [
        case(Status.DRAFT, -HOUR, False),
        case(Status.DRAFT, None, False),
        case(Status.DRAFT, HOUR, False),
        case(Status.REVIEW, -HOUR, False),
        case(Status.REVIEW, None, False),
        case(Status.SCHEDULED, -HOUR, True),
        case(Status.SCHEDULED, HOUR, False),
        case(Status.SCHEDULED, None, False),
        case(Status.PUBLISHED, -HOUR, True),
        # Documented decision: a published article dated in the future waits for its date.
        case(Status.PUBLISHED, HOUR, False),
        case(Status.ARCHIVED, -HOUR, False),
        case(Status.ARCHIVED, None, False),
        case(Status.ARCHIVED, HOUR, False),
    ],
)
def test_visibility_by_status_and_publication_time(api_client, status, offset, visible):
    published_at = None if offset is None else timezone.now() + offset
    article = ArticleFactory(status=status, published_at=published_at)
    # Saving never moves an article through the workflow by itself.
    assert Article.objects.get(pk=article.pk).status == status

    assert (article.slug in listed_slugs(api_client)) is visible
    detail = api_client.get(f"/api/v1/articles/{article.slug}/")
    assert detail.status_code == (200 if visible else 404)
    if visible:
        assert detail.json()["slug"] == article.slug
    else:
        assert "detail" in detail.json()


def test_future_scheduled_article_is_not_visible(api_client):
    article = ArticleFactory(
        status=Status.SCHEDULED, published_at=timezone.now() + timedelta(minutes=5)
    )
    assert listed_slugs(api_client) == []
    assert api_client.get(f"/api/v1/articles/{article.slug}/").status_code == 404


def test_future_published_article_is_not_visible(api_client):
    article = ArticleFactory(
        status=Status.PUBLISHED, published_at=timezone.now() + timedelta(minutes=5)
    )
    assert listed_slugs(api_client) == []
    assert api_client.get(f"/api/v1/articles/{article.slug}/").status_code == 404


def test_scheduled_article_goes_live_when_its_time_comes_without_a_save(api_client, monkeypatch):
    real_now = timezone.now()
    article = ArticleFactory(status=Status.SCHEDULED, published_at=real_now + HOUR)
    assert listed_slugs(api_client) == []

    monkeypatch.setattr(timezone, "now", lambda: real_now + 2 * HOUR)

    assert listed_slugs(api_client) == [article.slug]
    assert api_client.get(f"/api/v1/articles/{article.slug}/").status_code == 200
    article.refresh_from_db()
    assert article.status == Status.SCHEDULED  # nothing rewrote the row


def test_published_article_without_date_is_dated_now_and_visible(api_client):
    before = timezone.now()
    article = ArticleFactory(status=Status.PUBLISHED, published_at=None)
    article.refresh_from_db()
    assert before <= article.published_at <= timezone.now()
    assert listed_slugs(api_client) == [article.slug]


def test_list_shows_only_visible_articles_among_mixed_ones(api_client):
    now = timezone.now()
    visible_old = ArticleFactory(slug="visible-old", published_at=now - 2 * HOUR)
    visible_scheduled = ArticleFactory(
        slug="visible-scheduled", status=Status.SCHEDULED, published_at=now - HOUR
    )
    ArticleFactory(slug="draft", status=Status.DRAFT, published_at=now - HOUR)
    ArticleFactory(slug="review", status=Status.REVIEW, published_at=None)
    ArticleFactory(slug="future", status=Status.SCHEDULED, published_at=now + HOUR)
    ArticleFactory(slug="archived", status=Status.ARCHIVED, published_at=now - HOUR)

    response = api_client.get("/api/v1/articles/")

    assert response.json()["count"] == 2
    assert listed_slugs(api_client) == [visible_scheduled.slug, visible_old.slug]


def test_list_item_has_the_documented_fields(api_client):
    article = ArticleFactory()
    item = api_client.get("/api/v1/articles/").json()["results"][0]
    assert set(item) == {
        "id",
        "title",
        "slug",
        "excerpt",
        "category",
        "tags",
        "author",
        "lead_image",
        "published_at",
        "updated_at",
        "comment_count",
        "url",
    }
    assert item["url"].endswith(f"/api/v1/articles/{article.slug}/")
    detail = api_client.get(f"/api/v1/articles/{article.slug}/").json()
    assert {"body_html", "comments_open", "comments_url"} <= set(detail)
    assert detail["comments_url"].endswith(f"/api/v1/articles/{article.slug}/comments/")
