"""Routing a frontend's own URL to the API, and a thread's total (issue #16)."""

import pytest

from articles.models import Article, ArticleSlugRedirect
from tests.comments.helpers import make_comment
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leica():
    return ArticleFactory(slug="leica", title="Leica And Panasonic")


@pytest.fixture
def news_pages(settings):
    settings.ARTICLE_PATH_TEMPLATE = "/news/{slug}/"
    settings.SITE_URL = "https://www.example.com"


@pytest.mark.parametrize(
    "path",
    [
        "/news/leica/",
        "/news/leica",  # the trailing slash dropped
        "https://www.example.com/news/leica/?utm_source=feed#comments",
    ],
)
def test_a_page_path_leads_to_its_article(api_client, leica, news_pages, path):
    response = api_client.get("/api/v1/articles/by-path/", {"path": path})

    assert response.status_code == 302
    assert response["Location"].endswith("/api/v1/articles/leica/")
    assert api_client.get(response["Location"]).json()["title"] == "Leica And Panasonic"


def test_the_path_is_what_url_gives(api_client, leica, news_pages):
    url = api_client.get("/api/v1/articles/leica/").json()["url"]

    response = api_client.get("/api/v1/articles/by-path/", {"path": url})

    assert url == "https://www.example.com/news/leica/"
    assert response.status_code == 302


def test_without_a_template_the_path_is_the_apis_own(api_client, leica):
    found = api_client.get("/api/v1/articles/by-path/", {"path": "/api/v1/articles/leica/"})
    other = api_client.get("/api/v1/articles/by-path/", {"path": "/news/leica/"})

    assert found.status_code == 302
    assert other.status_code == 404


def test_an_old_slug_leads_to_the_current_detail(api_client, leica, news_pages):
    ArticleSlugRedirect.objects.create(article=leica, old_slug="leica-old")

    response = api_client.get("/api/v1/articles/by-path/", {"path": "/news/leica-old/"})

    assert response.status_code == 302
    assert response["Location"].endswith("/api/v1/articles/leica/")


@pytest.mark.parametrize(
    "path", ["/news/draft/", "/news/no-such-story/", "/other/leica/", "/news/leica/extra/", " "]
)
def test_anything_else_is_404(api_client, leica, news_pages, path):
    ArticleFactory(slug="draft", status=Article.Status.DRAFT)

    response = api_client.get("/api/v1/articles/by-path/", {"path": path})

    assert response.status_code == 404
    assert response.json() == {"detail": "No article answers at this path."}


@pytest.mark.parametrize("query", [{}, {"path": ""}, {"path": "/" + "a" * 2000}])
def test_a_missing_empty_or_huge_path_is_400(api_client, query):
    response = api_client.get("/api/v1/articles/by-path/", query)

    assert response.status_code == 400
    assert list(response.json()) == ["path"]


def test_a_thread_carries_its_total_without_counting(api_client, leica, django_assert_num_queries):
    for _ in range(3):
        make_comment(leica)
    make_comment(leica, status="pending")
    leica.refresh_from_db()

    with django_assert_num_queries(2):  # the article, the page: no COUNT
        body = api_client.get("/api/v1/articles/leica/comments/", {"page_size": 2}).json()

    assert body["comment_count"] == 3 == leica.comment_count
    assert len(body["results"]) == 2


def test_pagination_examples_are_urls_of_their_own_lists(api_client):
    schemas = api_client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]

    assert schemas["PaginatedArticleListList"]["properties"]["next"]["example"] == (
        "http://127.0.0.1:8000/api/v1/articles/?page=3"
    )
    comments_next = schemas["PaginatedCommentList"]["properties"]["next"]["example"]
    assert comments_next.startswith(
        "http://127.0.0.1:8000/api/v1/articles/leica-and-panasonic/comments/?cursor="
    )
    assert "example.org" not in str(schemas)
