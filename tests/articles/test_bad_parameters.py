"""Bad query parameters and unknown URLs are answered in the API's error shape, never 500."""

import pytest

from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_articles():
    """Create `n` visible articles cheaply: one category and one author for all."""

    def make(n: int):
        return ArticleFactory.create_batch(n, category=CategoryFactory(), author=AuthorFactory())

    return make


@pytest.mark.parametrize("parameter", ["category", "tag", "author"])
def test_unknown_slug_filter_answers_400_naming_the_parameter(api_client, parameter):
    ArticleFactory()
    response = api_client.get("/api/v1/articles/", {parameter: "no-such-slug"})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [parameter]
    assert isinstance(body[parameter], list)
    assert all(isinstance(message, str) for message in body[parameter])
    assert body[parameter]


@pytest.mark.parametrize("parameter", ["published_after", "published_before"])
@pytest.mark.parametrize("value", ["not-a-date", "2024-13-45", "2024-02-30T25:00:00"])
def test_invalid_date_answers_400_naming_the_field(api_client, parameter, value):
    response = api_client.get("/api/v1/articles/", {parameter: value})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [parameter]
    assert body[parameter]


@pytest.mark.parametrize("ordering", ["nonsense", "body", "-id", "status"])
def test_invalid_ordering_answers_400(api_client, ordering):
    response = api_client.get("/api/v1/articles/", {"ordering": ordering})
    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]


def test_overlong_search_answers_400(api_client):
    response = api_client.get("/api/v1/articles/", {"search": "x" * 201})
    assert response.status_code == 400
    assert list(response.json()) == ["search"]


def test_page_size_above_100_is_capped_at_100(api_client, make_articles):
    make_articles(101)
    response = api_client.get("/api/v1/articles/", {"page_size": 1000})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 101
    assert len(body["results"]) == 100
    assert body["next"] is not None
    assert body["previous"] is None


def test_page_size_within_bounds_is_honoured(api_client, make_articles):
    make_articles(7)
    body = api_client.get("/api/v1/articles/", {"page_size": 5}).json()
    assert len(body["results"]) == 5
    assert body["count"] == 7


@pytest.mark.parametrize("page_size", ["abc", "-1", "0", "", "null", "1.5", "٣"])
@pytest.mark.parametrize(
    "url", ["/api/v1/articles/", "/api/v1/tags/", "/api/v1/articles/{slug}/comments/"]
)
def test_a_page_size_that_is_not_a_whole_number_from_1_answers_400_naming_it(
    api_client, make_articles, page_size, url
):
    # Issue #16: DRF's fallback to the default hid the client's mistake (`page_size=null`).
    article = make_articles(1)[0]
    response = api_client.get(url.format(slug=article.slug), {"page_size": page_size})
    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


@pytest.mark.parametrize(
    "parameter",
    [
        "published_before",
        "published_after",
        "updated_after",
        "category",
        "tag",
        "author",
        "search",
        "ordering",
    ],
)
def test_an_empty_filter_value_answers_400_naming_it(api_client, make_articles, parameter):
    # Issue #16: django-filter reads `published_before=` as no filter at all.
    make_articles(1)
    response = api_client.get(f"/api/v1/articles/?{parameter}=")
    assert response.status_code == 400
    assert response.json() == {parameter: ["Give a value, or leave the parameter out."]}


def test_an_empty_staff_filter_value_answers_400_too(staff_client):
    response = staff_client.get("/api/v1/moderation/comments/?status=")
    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_page_beyond_the_last_answers_404_json(api_client):
    ArticleFactory()
    response = api_client.get("/api/v1/articles/", {"page": 999})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize("page", ["abc", "0", "-1", "", ["2", ""]])
def test_invalid_page_number_answers_404_json(api_client, page):
    ArticleFactory()
    response = api_client.get("/api/v1/articles/", {"page": page})
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("url", ["/api/v1/nope/", "/api/v1/articles/a/b/c/", "/api/nope"])
def test_unknown_api_url_answers_404_json(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert isinstance(response.json()["detail"], str)


def test_unknown_article_slug_answers_404_json(api_client):
    response = api_client.get("/api/v1/articles/no-such-article/")
    assert response.status_code == 404
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize(
    "params",
    [
        {"category": ""},
        {"tag": ""},
        {"search": ""},
        {"category": "../../etc"},
        {"published_after": "\x00"},
        {"category": "\x00"},
        {"search": "\x00"},
        {"tag": "a\x00b"},
        {"ordering": ""},
        {"ordering": "title,title"},
        {"unknown": "whatever"},
    ],
)
def test_odd_parameters_never_cause_a_server_error(api_client, params):
    ArticleFactory()
    response = api_client.get("/api/v1/articles/", params)
    assert response.status_code in (200, 400)
    assert response["Content-Type"].startswith("application/json")
