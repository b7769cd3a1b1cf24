"""The search window (SEARCH_RANK_WINDOW, docs/search.md "The window"): a reader's search
considers the newest matches only, ranks or orders those and counts those, on every API
that lists articles; the editors' admin searches everything. On SQLite and PostgreSQL,
with the plans that keep both a rare and a common word cheap."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles import search, selectors
from articles.models import Article
from tests.articles.test_search import SEARCH_QUERIES, _explain, _many_articles
from tests.factories import ArticleFactory, CategoryFactory, TagFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/articles/"
POSTS = "/wp-json/wp/v2/posts"


def hours_ago(hours: int):
    return timezone.now() - timedelta(hours=hours)


def airships(n: int, **fields) -> list[str]:
    """`n` articles about zeppelins, the newest first (one hour apart), their slugs in that
    order. The oldest has the word in its title as well, so it is the best match."""
    slugs = []
    for i in range(n):
        title = "A zeppelin at last" if i == n - 1 else f"News {i}"
        article = ArticleFactory(
            title=title,
            slug=f"airship-{i}",
            body="<p>The zeppelin flew over the town.</p>",
            published_at=hours_ago(i + 1),
            **fields,
        )
        slugs.append(article.slug)
    return slugs


def search_answer(client, text: str, **params) -> dict:
    response = client.get(URL, {"search": text, **params})
    assert response.status_code == 200, response.content
    return response.json()


def slugs_of(answer: dict) -> list[str]:
    return [item["slug"] for item in answer["results"]]


@pytest.fixture
def window_of_five(settings):
    settings.SEARCH_RANK_WINDOW = 5


def test_a_common_word_ranks_and_counts_the_newest_matches_only(api_client, window_of_five):
    slugs = airships(8)

    answer = search_answer(api_client, "zeppelin")

    assert answer["count"] == 5
    assert sorted(slugs_of(answer)) == sorted(slugs[:5])
    # The oldest article is the best match (its title), yet outside the window: the cost
    # of the window for readers.
    assert "A zeppelin at last" not in [item["title"] for item in answer["results"]]
    assert all("<mark>zeppelin</mark>" in item["search_snippet"] for item in answer["results"])


def test_within_the_window_the_best_matches_come_first(api_client, window_of_five):
    slugs = airships(8)
    ArticleFactory(
        slug="titled", title="Zeppelin week", body="<p>A zeppelin.</p>", published_at=hours_ago(0)
    )

    assert slugs_of(search_answer(api_client, "zeppelin")) == ["titled", *slugs[:4]]


def test_any_other_order_applies_to_the_window(api_client, window_of_five):
    slugs = airships(8)

    oldest_first = search_answer(api_client, "zeppelin", ordering="published_at")
    by_title = search_answer(api_client, "zeppelin", ordering="-title")

    assert slugs_of(oldest_first) == list(reversed(slugs[:5]))
    assert slugs_of(by_title) == slugs[4::-1]  # News 4, News 3, ... News 0
    assert oldest_first["count"] == by_title["count"] == 5


def test_a_rare_word_is_found_whatever_its_age(api_client, window_of_five):
    airships(8)
    old = ArticleFactory(
        slug="old-balloon", body="<p>A hot-air balloon.</p>", published_at=hours_ago(24 * 400)
    )

    answer = search_answer(api_client, "balloon")

    assert answer["count"] == 1
    assert slugs_of(answer) == [old.slug]


def test_a_window_of_zero_ranks_every_match(api_client, settings):
    settings.SEARCH_RANK_WINDOW = 0
    slugs = airships(8)

    answer = search_answer(api_client, "zeppelin")

    assert answer["count"] == 8
    assert slugs_of(answer)[0] == slugs[-1]  # the oldest, best match first


@pytest.mark.parametrize("matches", [8, 12])  # below and above SQLite's walk from 2 × 5
def test_the_window_is_of_what_the_other_filters_let_through(api_client, window_of_five, matches):
    slugs = airships(matches)
    category = CategoryFactory(slug="airships")
    # The three oldest, filed under a category of their own.
    for slug in slugs[-3:]:
        Article.objects.filter(slug=slug).update(category=category)

    in_category = search_answer(api_client, "zeppelin", category="airships")
    before = search_answer(
        api_client, "zeppelin", published_before=hours_ago(3).isoformat(), ordering="-published_at"
    )

    assert in_category["count"] == 3
    assert sorted(slugs_of(in_category)) == sorted(slugs[-3:])
    assert before["count"] == 5
    assert slugs_of(before) == slugs[2:7]  # the newest five of those dated before


@pytest.mark.parametrize("matches", [8, 12])
def test_newest_first_is_the_window_in_order(api_client, window_of_five, matches):
    slugs = airships(matches)

    answer = search_answer(api_client, "zeppelin", ordering="-published_at")

    assert slugs_of(answer) == slugs[:5]


def test_wordpress_counts_and_orders_the_window(api_client, window_of_five):
    slugs = airships(8)

    by_date = api_client.get(POSTS, {"search": "zeppelin"})
    by_relevance = api_client.get(POSTS, {"search": "zeppelin", "orderby": "relevance"})

    assert by_date.status_code == by_relevance.status_code == 200
    assert by_date["X-WP-Total"] == by_relevance["X-WP-Total"] == "5"
    assert [post["slug"] for post in by_date.json()] == slugs[:5]
    assert sorted(post["slug"] for post in by_relevance.json()) == sorted(slugs[:5])


def test_the_admin_searches_every_match(admin_client, window_of_five):
    airships(8)

    page = admin_client.get("/admin/articles/article/", {"q": "zeppelin"})

    titles = re.findall(r'class="field-title"><a [^>]*>([^<]+)</a>', page.text)
    assert len(titles) == 8
    assert titles[0] == "A zeppelin at last"  # editors find the old article first


def test_a_search_costs_the_same_queries_whatever_it_finds(
    api_client, django_assert_num_queries, settings, window_of_five
):
    settings.API_RESPONSE_CACHE = False  # the cold path, as tests/articles/test_query_counts.py
    airships(3)
    with django_assert_num_queries(SEARCH_QUERIES):
        assert search_answer(api_client, "zeppelin")["count"] == 3

    for n in range(30):
        ArticleFactory(title=f"Zeppelin {n}", tags=TagFactory.create_batch(2))
    with django_assert_num_queries(SEARCH_QUERIES):
        answer = search_answer(api_client, "zeppelin", page_size=50)
    assert answer["count"] == 5
    assert all(len(item["tags"]) == 2 for item in answer["results"])


# --- the plans -----------------------------------------------------------------------------


PLAN_WINDOW = 100  # of 3,000 articles: walking is cheaper than reading them all


def _searched(text: str):
    return selectors.search_articles(
        queryset=selectors.visible_articles(), text=text, window=PLAN_WINDOW
    )


def _page_of(text: str):
    queryset = _searched(text)
    return queryset.order_by("-search_rank", "-published_at", "-id").values(
        *selectors.LIST_ROW_COLUMNS, "search_snippet"
    )[:20]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_postgresql_walks_the_newest_articles_for_a_common_word_and_reads_the_index_for_a_rare_one():
    _many_articles(3000)  # every title has "story"; six have "zeppelin"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
        cursor.execute("ANALYZE articles_search")

    common = _explain(_page_of("story"), "EXPLAIN ")
    rare = _explain(_page_of("zeppelin"), "EXPLAIN ")

    assert "article_public_recent" in common, common  # the newest first, up to the window
    assert "articles_search_document" not in common, common
    assert "articles_search_document" in rare, rare  # the GIN index
    for plan in (common, rare, _explain(_searched("story").values("pk"), "EXPLAIN ")):
        assert "Seq Scan on articles_article" not in plan, plan
        assert "Seq Scan on articles_search" not in plan, plan
    assert len(list(_page_of("story"))) == 20
    assert (
        selectors.search_articles(
            queryset=selectors.visible_articles(), text="story", window=1000
        ).count()
        == 1000
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_postgresql_reads_a_phrase_from_the_index_whatever_its_words():
    # Both words are common ("story" in every title, word1 in many bodies), the phrase
    # in no article: PostgreSQL's statistics know words, not phrases, and walking the
    # newest articles to test each for the phrase read them all.
    _many_articles(3000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
        cursor.execute("ANALYZE articles_search")

    phrase = _explain(_page_of('"story word1"'), "EXPLAIN ")

    assert "articles_search_document" in phrase, phrase  # the GIN index, once
    assert "Seq Scan on articles_article" not in phrase, phrase
    assert list(_page_of('"story word1"')) == []
    assert [row["slug"] for row in _page_of('"story 500" or "story 1000"')] == [
        "story-500",
        "story-1000",
    ]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
def test_sqlite_walks_the_newest_articles_for_a_common_word_and_reads_the_index_for_a_rare_one():
    _many_articles(3000)
    from plumbing.sqlite import analyze

    analyze()

    common = _explain(_page_of("story"), "EXPLAIN QUERY PLAN ")
    rare = _explain(_page_of("zeppelin"), "EXPLAIN QUERY PLAN ")

    # Common: the newest articles walked in order (no sort of every match); rare: the
    # matches read from FTS5 and their articles looked up.
    assert re.search(r"SEARCH \w+ USING INDEX article_public_recent", common), common
    assert re.search(r"SEARCH \w+ USING INTEGER PRIMARY KEY", rare), rare
    for plan in (common, rare):
        assert re.search(r"SCAN articles_search VIRTUAL TABLE INDEX \d+:M", plan), plan
        assert not re.search(r"^SCAN articles_article$", plan, re.M), plan
    assert len(list(_page_of("story"))) == 20
    assert search.WALK_FROM * PLAN_WINDOW <= 3000  # "story" is common by SQLite's test
