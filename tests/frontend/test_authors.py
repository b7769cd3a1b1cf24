"""Bylines as a frontend shows them (issue #16): /api/v1/authors/ and /{slug}/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bylines():
    ada = AuthorFactory(
        name="Ada Reporter", slug="ada", bio="Covers the camera industry.", email="ada@example.com"
    )
    bob = AuthorFactory(name="Bob Editor", slug="bob", email="bob@example.com")
    ArticleFactory.create_batch(2, author=ada)
    ArticleFactory(author=ada, status=Article.Status.DRAFT)
    ArticleFactory(
        author=ada,
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(days=1),
    )
    return {"ada": ada, "bob": bob}


def test_the_authors_list_shows_bylines_with_their_visible_article_count(api_client, bylines):
    response = api_client.get("/api/v1/authors/")

    assert response.status_code == 200
    items = {item["slug"]: item for item in response.json()["results"]}
    assert items["ada"] == {
        "id": bylines["ada"].pk,
        "name": "Ada Reporter",
        "slug": "ada",
        "bio": "Covers the camera industry.",
        "article_count": 2,
    }
    assert items["bob"]["article_count"] == 0


def test_an_author_page_and_an_unknown_slug(api_client, bylines):
    detail = api_client.get("/api/v1/authors/ada/")
    missing = api_client.get("/api/v1/authors/nobody/")

    assert detail.status_code == 200 and detail.json()["article_count"] == 2
    assert missing.status_code == 404 and set(missing.json()) == {"detail"}


def test_an_authors_email_and_account_never_show(api_client, bylines):
    for url in ("/api/v1/authors/", "/api/v1/authors/ada/"):
        text = api_client.get(url).content.decode()
        assert "@example.com" not in text
        assert "user" not in text


@pytest.mark.parametrize("authors", [1, 25])
def test_the_authors_list_runs_the_same_queries_whatever_its_size(
    api_client, authors, django_assert_num_queries
):
    for _ in range(authors):
        ArticleFactory(author=AuthorFactory())
    # The page count, and the page with the counts aggregated.
    with django_assert_num_queries(2):
        response = api_client.get("/api/v1/authors/", {"page_size": 50})
    assert len(response.json()["results"]) == authors


def test_articles_filter_by_author_slug(api_client, bylines):
    response = api_client.get("/api/v1/articles/", {"author": "ada"})
    assert response.status_code == 200
    assert response.json()["count"] == 2
