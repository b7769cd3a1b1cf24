"""Public endpoints run a fixed number of queries, however many rows they return."""

import pytest

from articles.models import Article
from tests.factories import ArticleFactory, CategoryFactory, TagFactory

pytestmark = pytest.mark.django_db

# count, page of articles with category and author joined, tags prefetched (the cold
# path; an answer the response cache then stores costs one more: below)
ARTICLE_LIST_QUERIES = 3
# article with category and author joined, tags prefetched, the comment policy
ARTICLE_DETAIL_QUERIES = 3
# count, page with the parent joined, the public articles dated in the future (their
# subtree counts are stored)
CATEGORY_LIST_QUERIES = 3
# count, page with the article count annotated
TAG_LIST_QUERIES = 2


def create_articles(n: int) -> list[Article]:
    """`n` visible articles, each with its own nested category, author and two tags."""
    root = CategoryFactory()
    return [
        ArticleFactory(category=CategoryFactory(parent=root), tags=TagFactory.create_batch(2))
        for _ in range(n)
    ]


@pytest.fixture
def comment_policy():
    # The site's comment policy row is created on first use; create it up front so the
    # first detail request does not pay for the insert.
    from comments.models import ModerationPolicy

    return ModerationPolicy.load()


@pytest.fixture(autouse=True)
def response_cache_off(settings):
    # The cold path, as the benchmark's cold rows measure it.
    settings.API_RESPONSE_CACHE = False


def test_article_list_query_count_is_the_same_for_1_and_50_articles(
    api_client, django_assert_num_queries
):
    create_articles(1)
    with django_assert_num_queries(ARTICLE_LIST_QUERIES) as one:
        response = api_client.get("/api/v1/articles/", {"page_size": 50})
    assert len(response.json()["results"]) == 1

    create_articles(49)
    with django_assert_num_queries(ARTICLE_LIST_QUERIES) as fifty:
        response = api_client.get("/api/v1/articles/", {"page_size": 50})
    results = response.json()["results"]
    assert len(results) == 50
    assert all(len(item["tags"]) == 2 and item["author"] and item["category"] for item in results)

    assert len(one.captured_queries) == len(fifty.captured_queries)


def test_a_stored_article_list_page_costs_one_query_more_whatever_its_size(
    api_client, django_assert_num_queries, settings
):
    settings.API_RESPONSE_CACHE = True
    # Before storing a page it confirms, in one query, that the
    # comment counts it shows are still the database's (articles/cache.py).
    create_articles(1)
    with django_assert_num_queries(ARTICLE_LIST_QUERIES + 1):
        api_client.get("/api/v1/articles/", {"page_size": 50})
    create_articles(49)
    with django_assert_num_queries(ARTICLE_LIST_QUERIES + 1):
        response = api_client.get("/api/v1/articles/", {"page_size": 50})
    assert len(response.json()["results"]) == 50
    with django_assert_num_queries(0):
        api_client.get("/api/v1/articles/", {"page_size": 50})


def test_filtered_article_list_query_count(api_client, django_assert_num_queries):
    articles = create_articles(5)
    root_slug = articles[0].category.parent.slug
    tag_slug = articles[0].tags.first().slug
    # The filter looks the category / tag up by slug first: one more query each.
    with django_assert_num_queries(ARTICLE_LIST_QUERIES + 2):
        response = api_client.get("/api/v1/articles/", {"category": root_slug, "tag": tag_slug})
    assert [item["slug"] for item in response.json()["results"]] == [articles[0].slug]


def test_article_detail_query_count(api_client, django_assert_num_queries, comment_policy):
    article = create_articles(1)[0]
    with django_assert_num_queries(ARTICLE_DETAIL_QUERIES):
        response = api_client.get(f"/api/v1/articles/{article.slug}/")
    assert response.json()["slug"] == article.slug


def test_category_list_query_count_is_the_same_for_1_and_50_categories(
    api_client, django_assert_num_queries
):
    root = CategoryFactory()
    ArticleFactory(category=root)
    with django_assert_num_queries(CATEGORY_LIST_QUERIES) as one:
        response = api_client.get("/api/v1/categories/", {"page_size": 100})
    assert response.json()["count"] == 1

    create_articles(49)  # 49 categories (and a new root) with an article each
    with django_assert_num_queries(CATEGORY_LIST_QUERIES) as fifty:
        response = api_client.get("/api/v1/categories/", {"page_size": 100})
    assert response.json()["count"] == 51

    assert len(one.captured_queries) == len(fifty.captured_queries)


def test_tag_list_query_count_is_the_same_for_2_and_100_tags(api_client, django_assert_num_queries):
    create_articles(1)
    with django_assert_num_queries(TAG_LIST_QUERIES) as few:
        response = api_client.get("/api/v1/tags/", {"page_size": 100})
    assert response.json()["count"] == 2

    create_articles(49)
    with django_assert_num_queries(TAG_LIST_QUERIES) as many:
        response = api_client.get("/api/v1/tags/", {"page_size": 100})
    assert response.json()["count"] == 100
    assert all(item["article_count"] == 1 for item in response.json()["results"])

    assert len(few.captured_queries) == len(many.captured_queries)
