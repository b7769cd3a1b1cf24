import pytest

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_published_article_is_listed(api_client):
    article = ArticleFactory()
    response = api_client.get("/api/v1/articles/")
    assert response.status_code == 200
    assert [item["slug"] for item in response.json()["results"]] == [article.slug]
