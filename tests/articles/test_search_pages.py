"""A search's page once its count is known (docs/search.md, "Cost"): on PostgreSQL the
page by relevance is one statement that ranks the window and reads the page's rows
(articles/search_pages.py), compiled once for a search alone, which also skips the
FilterSet. The answers are those of the full path, page by page, on both databases."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import search_pages
from articles.models import Article
from tests.articles.test_search import SEARCH_QUERIES
from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/articles/"
POSTGRESQL = connection.vendor == "postgresql"
# Once the count is stored: PostgreSQL's page by rank is one statement and the page's
# tags; SQLite reads the page as the first request does, less the count.
KNOWN_COUNT_QUERIES = 2 if POSTGRESQL else SEARCH_QUERIES - 1


def hours_ago(hours: int):
    return timezone.now() - timedelta(hours=hours)


@pytest.fixture
def airships(settings):
    """30 articles about zeppelins (one hour apart, the newest first) in a window of 25:
    some with the word in their title too, some saying it twice, so that relevance and
    date disagree; and one article about something else. The response cache is off: a
    repeated request is read again (the cold path), only its count is kept."""
    settings.API_RESPONSE_CACHE = False
    settings.SEARCH_RANK_WINDOW = 25
    for i in range(30):
        ArticleFactory(
            title=f"Zeppelin {i}" if i % 7 == 3 else f"News {i}",
            slug=f"airship-{i}",
            body="<p>The zeppelin flew. " + ("Another zeppelin came. " * (i % 3)) + "</p>",
            published_at=hours_ago(i + 1),
            tags=TagFactory.create_batch(2) if i % 2 else [],
        )
    ArticleFactory(slug="other", body="<p>Balloons only.</p>", published_at=hours_ago(1))


def answer(client, **params) -> dict:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize(
    "text", ["zeppelin", "zeppelin -another", '"zeppelin flew"', "x or zeppelin"]
)
def test_every_page_of_a_repeated_search_is_the_full_paths(api_client, airships, text):
    # `ordering=relevance,-published_at` orders as relevance alone does, and always takes
    # the full path (the FilterSet, the annotated queryset): the reference.
    pages = -(-answer(api_client, search=text)["count"] // 4)  # the count, stored
    assert pages >= 2
    for page in range(1, pages + 1):
        params = {"search": text, "page_size": 4, "page": page}
        first = answer(api_client, **params)
        again = answer(api_client, **params)
        reference = answer(api_client, **params, ordering="relevance,-published_at")

        assert first == again
        assert [item["slug"] for item in again["results"]] == [
            item["slug"] for item in reference["results"]
        ]
        assert again["results"] == reference["results"]  # snippets, tags, everything
    assert again["count"] == reference["count"]


def test_a_repeated_search_has_the_best_matches_first(api_client, airships):
    answer(api_client, search="zeppelin")

    slugs = [item["slug"] for item in answer(api_client, search="zeppelin")["results"]]

    # The articles with the word in their title first (the window's: the newest 25).
    titled = {f"airship-{i}" for i in range(25) if i % 7 == 3}
    assert set(slugs[: len(titled)]) == titled
    assert len(slugs) == 20


def test_a_repeated_search_costs_the_same_queries_whatever_the_page_size(
    api_client, airships, django_assert_num_queries
):
    answer(api_client, search="zeppelin")  # the count, stored

    for size in (5, 25):
        with django_assert_num_queries(KNOWN_COUNT_QUERIES):
            results = answer(api_client, search="zeppelin", page_size=size)["results"]
        assert len(results) == size
        assert all("<mark>zeppelin</mark>" in item["search_snippet"] for item in results)


@pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL's page by rank")
@pytest.mark.parametrize("alone", [True, False], ids=["search alone", "with a filter"])
def test_postgresql_ranks_the_window_then_joins_the_page_alone(api_client, airships, alone):
    params = {"search": "zeppelin", "fields": "slug,search_snippet"}
    if not alone:  # the FilterSet's queryset: the window walks the articles it lets through
        params["category"] = Article.objects.get(slug="airship-0").category.slug
    answer(api_client, **params)  # the count, stored

    with CaptureQueriesContext(connection) as captured:
        answer(api_client, **params)

    statements = [query["sql"] for query in captured.captured_queries]  # no tags shown
    (page,) = (sql for sql in statements if "= ANY(ARRAY(SELECT w.pk FROM (" in sql)
    rows, ranking = page.split("= ANY(ARRAY(SELECT w.pk FROM (", 1)
    window = ranking.split(") w ORDER BY", 1)[0]
    # The window (LIMIT 25) is ranked inside the array, joined to no category; the
    # page's rows alone are, and read their rank and body from their documents one by
    # one, not as one more join.
    assert "LIMIT 25" in window and "articles_category" not in ranking
    assert "articles_category" in rows
    assert 'JOIN "articles_search"' not in rows
    assert "ts_headline" not in page  # the snippets are made from the bodies read
    # The body's word index with its text, one lookup by key (articles/snippets.py,
    # word_index); the document's body only for a document without them.
    article = '"articles_article"."id"'
    indexed = (
        "(SELECT w.words || chr(1) || w.text FROM articles_search_words w "  # noqa: S608
        f"WHERE w.rowid = {article})"
    )
    body = f"(SELECT chr(1) || d.body FROM articles_search d WHERE d.rowid = {article})"  # noqa: S608
    assert f'COALESCE({indexed}, {body}) AS "search_snippet"' in rows
    # A search alone walks the documents' own copy of each article's publication; a
    # filtered one walks the articles the FilterSet lets through.
    assert ('"articles_article"' not in window) is alone
    assert ("d.public AND d.published_at <= " in window) is alone


@pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL's page by rank")
def test_a_search_alone_is_read_through_sql_compiled_once(api_client, airships):
    texts = ["zeppelin", '"zeppelin flew"', "another", "zeppelin"]
    for text in texts:
        answer(api_client, search=text, fields="slug")  # the counts, stored
        answer(api_client, search=text, fields="slug")  # the statements, compiled

    with (
        CaptureQueriesContext(connection) as captured,
        mock.patch.object(search_pages, "_page_rows", wraps=search_pages._page_rows) as built,
    ):
        found = {text: answer(api_client, search=text, fields="slug") for text in texts}

    assert built.call_count == 0  # compiled by the first requests, not built again
    # One statement a search, its text a parameter of the same SQL for the words (the
    # phrase's differs: it is read from the index first).
    statements = [query["sql"] for query in captured.captured_queries]
    assert len(statements) == len(texts)
    word, phrase, other, again = (
        re.sub(r"'[0-9-]+ [0-9:.+]+'::timestamptz", "NOW", statement).replace(
            "'another'", "'zeppelin'"
        )
        for statement in statements
    )
    assert word == other == again != phrase
    # Each its own answer: "another" is in the articles saying it twice or more.
    assert {item["slug"] for item in found["another"]["results"]} == {
        f"airship-{i}" for i in range(30) if i % 3
    }
    assert found["zeppelin"]["count"] == found['"zeppelin flew"']["count"] == 25


def test_fields_leaving_the_snippet_out_read_no_body(api_client, airships):
    answer(api_client, search="zeppelin", fields="slug")  # the count, stored

    with CaptureQueriesContext(connection) as captured:
        results = answer(api_client, search="zeppelin", fields="slug")["results"]

    assert results and all(set(item) == {"slug"} for item in results)
    assert len(captured) == KNOWN_COUNT_QUERIES - 1  # no tags either
    assert not any("body" in query["sql"] for query in captured.captured_queries)


# --- the search box alone skips the FilterSet, not its checks ---------------------------------


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"search": ""}, "Give a value"),
        ({"search": "x" * 201}, "at most 200 characters"),
        ({"search": "zeppelin\x00"}, ""),
    ],
)
def test_a_search_alone_is_checked_as_any_filter(api_client, airships, params, problem):
    response = api_client.get(URL, params)

    assert response.status_code == 400
    assert problem in response.content.decode()


def test_blank_search_text_is_the_plain_list(api_client, airships):
    blank = answer(api_client, search="   ")
    plain = answer(api_client)

    assert blank["results"] == plain["results"]
    assert "search_snippet" not in blank["results"][0]


def test_a_search_with_another_filter_or_order_takes_the_filterset(api_client, airships):
    tagged = answer(api_client, search="zeppelin", tag=TagFactory(slug="none-of-them").slug)
    oldest = answer(api_client, search="zeppelin", ordering="published_at")

    assert tagged["count"] == 0
    assert [item["slug"] for item in oldest["results"]][:2] == ["airship-24", "airship-23"]
