"""Filters and orderings of the public article list, with the exact order of results."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, TagFactory

pytestmark = pytest.mark.django_db

BASE = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def article_slugs(client, **params) -> list[str]:
    response = client.get("/api/v1/articles/", params)
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def test_default_order_is_newest_first(api_client):
    ArticleFactory(slug="middle", published_at=BASE + timedelta(days=1))
    ArticleFactory(slug="oldest", published_at=BASE)
    ArticleFactory(slug="newest", published_at=BASE + timedelta(days=2))
    assert article_slugs(api_client) == ["newest", "middle", "oldest"]


def test_filter_by_category(api_client):
    news = CategoryFactory(slug="news")
    ArticleFactory(slug="news-1", category=news, published_at=BASE)
    ArticleFactory(slug="news-2", category=news, published_at=BASE + timedelta(days=1))
    ArticleFactory(slug="elsewhere", published_at=BASE + timedelta(days=2))
    assert article_slugs(api_client, category="news") == ["news-2", "news-1"]


def test_filter_by_tag(api_client):
    leica, lenses = TagFactory(slug="leica"), TagFactory(slug="lenses")
    ArticleFactory(slug="both", tags=[leica, lenses], published_at=BASE)
    ArticleFactory(slug="leica-only", tags=[leica], published_at=BASE + timedelta(days=1))
    ArticleFactory(slug="lenses-only", tags=[lenses], published_at=BASE + timedelta(days=2))
    ArticleFactory(slug="untagged", published_at=BASE + timedelta(days=3))

    assert article_slugs(api_client, tag="leica") == ["leica-only", "both"]
    assert article_slugs(api_client, tag="lenses") == ["lenses-only", "both"]


def test_filter_by_author(api_client):
    ana = AuthorFactory(slug="ana-lima", name="Ana Lima")
    ArticleFactory(slug="by-ana-1", author=ana, published_at=BASE)
    ArticleFactory(slug="by-ana-2", author=ana, published_at=BASE + timedelta(days=1))
    ArticleFactory(slug="by-someone-else", published_at=BASE + timedelta(days=2))

    assert article_slugs(api_client, author="ana-lima") == ["by-ana-2", "by-ana-1"]
    item = api_client.get("/api/v1/articles/", {"author": "ana-lima"}).json()["results"][0]
    assert item["author"] == {"name": "Ana Lima", "slug": "ana-lima"}


def test_search_matches_title_excerpt_and_body_case_insensitively_best_first(api_client):
    ArticleFactory(slug="in-title", title="Leica news", published_at=BASE)
    ArticleFactory(
        slug="in-excerpt", excerpt="About LEICA lenses", published_at=BASE + timedelta(days=1)
    )
    ArticleFactory(
        slug="in-body", body="<p>A leica camera.</p>", published_at=BASE + timedelta(days=2)
    )
    ArticleFactory(slug="nowhere", title="Panasonic", published_at=BASE + timedelta(days=3))

    # Ranked (tests/articles/test_search.py): the title weighs most, then the excerpt.
    assert article_slugs(api_client, search="leica") == ["in-title", "in-excerpt", "in-body"]
    assert article_slugs(api_client, search="leica", ordering="-published_at") == [
        "in-body",
        "in-excerpt",
        "in-title",
    ]
    assert article_slugs(api_client, search="zeiss") == []


def test_search_with_several_words_requires_all_of_them(api_client):
    ArticleFactory(slug="both-words", title="Leica and Panasonic", published_at=BASE)
    ArticleFactory(slug="one-word", title="Leica alone", published_at=BASE + timedelta(days=1))
    assert article_slugs(api_client, search="panasonic leica") == ["both-words"]


def test_filter_published_after_and_before_are_inclusive(api_client):
    for day in range(4):
        ArticleFactory(slug=f"day-{day}", published_at=BASE + timedelta(days=day))

    after = (BASE + timedelta(days=1)).isoformat()
    before = (BASE + timedelta(days=2)).isoformat()

    assert article_slugs(api_client, published_after=after) == ["day-3", "day-2", "day-1"]
    assert article_slugs(api_client, published_before=before) == ["day-2", "day-1", "day-0"]
    assert article_slugs(api_client, published_after=after, published_before=before) == [
        "day-2",
        "day-1",
    ]


def test_filters_combine(api_client):
    news = CategoryFactory(slug="news")
    leica = TagFactory(slug="leica")
    ArticleFactory(slug="match", category=news, tags=[leica], title="Leica", published_at=BASE)
    ArticleFactory(slug="wrong-tag", category=news, title="Leica", published_at=BASE)
    ArticleFactory(slug="wrong-category", tags=[leica], title="Leica", published_at=BASE)
    assert article_slugs(api_client, category="news", tag="leica", search="leica") == ["match"]


@pytest.fixture
def ordered_articles():
    # Dates, titles and comment counts each put the articles in a different order.
    ArticleFactory(slug="a", title="Banana", comment_count=5, published_at=BASE + timedelta(days=2))
    ArticleFactory(slug="b", title="apple", comment_count=0, published_at=BASE)
    ArticleFactory(slug="c", title="Cherry", comment_count=9, published_at=BASE + timedelta(days=1))
    ArticleFactory(slug="d", title="Date", comment_count=2, published_at=BASE + timedelta(days=3))


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("published_at", ["b", "c", "a", "d"]),
        ("-published_at", ["d", "a", "c", "b"]),
        ("comment_count", ["b", "d", "a", "c"]),
        ("-comment_count", ["c", "a", "d", "b"]),
    ],
)
def test_ordering(api_client, ordered_articles, ordering, expected):
    assert article_slugs(api_client, ordering=ordering) == expected


def test_ordering_by_title(api_client, ordered_articles):
    titles = ["Banana", "apple", "Cherry", "Date"]
    by_title = dict(zip(titles, "abcd", strict=True))
    # The database collation decides where lower-case "apple" sorts; whatever it is,
    # -title is exactly the reverse of title.
    ascending = article_slugs(api_client, ordering="title")
    assert ascending in (
        [by_title[t] for t in sorted(titles)],
        [by_title[t] for t in sorted(titles, key=str.lower)],
    )
    assert article_slugs(api_client, ordering="-title") == list(reversed(ascending))


def test_ordering_by_title_with_uniform_case(api_client):
    ArticleFactory(slug="m", title="Mango", published_at=BASE)
    ArticleFactory(slug="k", title="Kiwi", published_at=BASE + timedelta(days=1))
    ArticleFactory(slug="p", title="Pear", published_at=BASE + timedelta(days=2))
    assert article_slugs(api_client, ordering="title") == ["k", "m", "p"]
    assert article_slugs(api_client, ordering="-title") == ["p", "m", "k"]


def test_ties_are_broken_newest_first(api_client):
    ArticleFactory(slug="older", comment_count=3, published_at=BASE)
    ArticleFactory(slug="newer", comment_count=3, published_at=BASE + timedelta(days=1))
    assert article_slugs(api_client, ordering="-comment_count") == ["newer", "older"]
    assert article_slugs(api_client, ordering="comment_count") == ["newer", "older"]


def test_published_after_accepts_a_plain_date_as_midnight(api_client):
    ArticleFactory(slug="before", published_at=datetime(2024, 3, 1, 23, 59, tzinfo=UTC))
    ArticleFactory(slug="on-the-day", published_at=datetime(2024, 3, 2, 0, 0, tzinfo=UTC))
    assert article_slugs(api_client, published_after="2024-03-02") == ["on-the-day"]


def test_tag_list_counts_only_visible_articles(api_client):
    leica, lenses, unused = TagFactory(slug="leica"), TagFactory(slug="lenses"), TagFactory()
    ArticleFactory.create_batch(2, tags=[leica, lenses])
    ArticleFactory(tags=[leica], status="draft")
    ArticleFactory(tags=[lenses], status="scheduled", published_at=BASE.replace(year=2999))

    response = api_client.get("/api/v1/tags/")

    assert response.status_code == 200
    counts = {item["slug"]: item["article_count"] for item in response.json()["results"]}
    assert counts == {"leica": 2, "lenses": 2, unused.slug: 0}
    detail = api_client.get("/api/v1/tags/leica/")
    assert detail.status_code == 200
    assert detail.json()["article_count"] == 2
