"""What a frontend needs of the API (issue #16): repeated `ordering`, `updated_after` for
incremental builds, JSON errors on every /api/ path (DEBUG too)."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def slugs(client, query: str) -> list[str]:
    response = client.get(f"/api/v1/articles/?{query}")
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


@pytest.fixture
def three():
    now = timezone.now()
    ArticleFactory(slug="a-old", title="Zebra", published_at=now - timedelta(days=3))
    ArticleFactory(slug="b-mid", title="Apple", published_at=now - timedelta(days=2))
    ArticleFactory(slug="c-new", title="Apple", published_at=now - timedelta(days=1))


def test_repeated_ordering_means_the_same_as_comma_separated(api_client, three):
    comma = slugs(api_client, "ordering=title,published_at")
    repeated = slugs(api_client, "ordering=title&ordering=published_at")

    assert comma == repeated == ["b-mid", "c-new", "a-old"]
    # One value, as before.
    assert slugs(api_client, "ordering=-title") == ["a-old", "c-new", "b-mid"]


def test_an_unknown_ordering_among_repeated_ones_is_a_400(api_client, three):
    response = api_client.get("/api/v1/articles/?ordering=title&ordering=bogus")
    assert response.status_code == 400
    assert "ordering" in response.json()


def test_updated_after_lists_what_changed_since(api_client, three):
    cutoff = timezone.now()
    article = ArticleFactory(slug="d-edited")
    article.title = "Edited"
    article.save()

    assert slugs(api_client, f"updated_after={cutoff.isoformat().replace('+00:00', 'Z')}") == [
        "d-edited"
    ]
    bad = api_client.get("/api/v1/articles/?updated_after=yesterday")
    assert bad.status_code == 400 and "updated_after" in bad.json()


@override_settings(DEBUG=True)
@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/nowhere/", "/api/v1/articles/x/y/"]
)
def test_unknown_api_paths_answer_json_even_with_debug_on(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_other_paths_keep_djangos_pages(client):
    response = client.get("/not-an-api-path/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_url_is_the_frontends_page_when_the_site_describes_it(api_client, settings):
    settings.SITE_URL = "https://news.example"
    settings.ARTICLE_PATH_TEMPLATE = "/stories/{slug}/"
    ArticleFactory(slug="the-story")

    [item] = api_client.get("/api/v1/articles/").json()["results"]
    detail = api_client.get("/api/v1/articles/the-story/").json()

    assert item["url"] == detail["url"] == "https://news.example/stories/the-story/"
    # The comments stay where the API serves them.
    assert detail["comments_url"] == "http://testserver/api/v1/articles/the-story/comments/"


def test_url_is_the_api_detail_by_default(api_client):
    ArticleFactory(slug="the-story")
    [item] = api_client.get("/api/v1/articles/").json()["results"]
    assert item["url"] == "http://testserver/api/v1/articles/the-story/"
