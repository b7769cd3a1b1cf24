"""A published article's old slug answers 301 to its new URL; a draft's old slug does not."""

import pytest

from articles.models import Article
from articles.services import article_archive, article_publish
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def rename(article: Article, new_slug: str) -> None:
    article.slug = new_slug
    article.save()


def test_old_slug_of_a_published_article_redirects_permanently(api_client):
    article = ArticleFactory(slug="old-name")
    rename(article, "new-name")

    response = api_client.get("/api/v1/articles/old-name/")

    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/articles/new-name/")
    assert api_client.get("/api/v1/articles/new-name/").status_code == 200


def test_every_earlier_slug_redirects_to_the_current_one(api_client):
    article = ArticleFactory(slug="first")
    rename(article, "second")
    rename(article, "third")

    for old in ("first", "second"):
        response = api_client.get(f"/api/v1/articles/{old}/")
        assert response.status_code == 301
        assert response["Location"].endswith("/api/v1/articles/third/")


def test_old_slug_of_a_never_published_draft_is_404(api_client):
    article = ArticleFactory(slug="draft-name", status=Article.Status.DRAFT, published_at=None)
    rename(article, "better-draft-name")
    article_publish(article=article)

    assert api_client.get("/api/v1/articles/better-draft-name/").status_code == 200
    response = api_client.get("/api/v1/articles/draft-name/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_old_slug_of_an_article_taken_off_the_site_is_404(api_client):
    article = ArticleFactory(slug="old-name")
    rename(article, "new-name")
    article_archive(article=article)

    assert api_client.get("/api/v1/articles/old-name/").status_code == 404
    assert api_client.get("/api/v1/articles/new-name/").status_code == 404


def test_reusing_an_old_slug_for_the_article_itself_removes_the_redirect(api_client):
    article = ArticleFactory(slug="name-a")
    rename(article, "name-b")
    rename(article, "name-a")

    assert api_client.get("/api/v1/articles/name-a/").status_code == 200
    response = api_client.get("/api/v1/articles/name-b/")
    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/articles/name-a/")


def test_a_new_article_may_take_an_old_slug_and_then_answers_there(api_client):
    moved = ArticleFactory(slug="shared-name")
    rename(moved, "moved-away")
    newcomer = ArticleFactory(slug="shared-name")

    response = api_client.get("/api/v1/articles/shared-name/")
    assert response.status_code == 200
    assert response.json()["id"] == newcomer.pk
