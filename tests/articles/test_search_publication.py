"""PostgreSQL's search documents carry a copy of their article's publication (migration
0014), kept by triggers: a search alone walks the newest public documents by it
(articles/search.py, `PublicWindow`). Whatever writes an article's status or date
(a save, an admin action's UPDATE, SQL by hand), the copy follows, and the search box
answers as the full path does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import search_index
from articles.models import Article
from tests.factories import ArticleFactory, TagFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search table"),
]
URL = "/api/v1/articles/"


def copies() -> dict[str, tuple]:
    """{slug: (published_at, public)} as the search documents hold them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.slug, s.published_at, s.public FROM articles_search s "
            "JOIN articles_article a ON a.id = s.rowid"
        )
        return {slug: (published_at, public) for slug, published_at, public in cursor.fetchall()}


def publications() -> dict[str, tuple]:
    """The same, from the articles themselves."""
    return {
        article.slug: (article.published_at, article.status in ("published", "scheduled"))
        for article in Article.objects.all()
    }


def test_a_document_takes_its_articles_publication_when_written():
    ArticleFactory(slug="out", status="published")
    ArticleFactory(slug="draft", status="draft", published_at=None)
    ArticleFactory(slug="later", status="scheduled", published_at=timezone.now() + timedelta(1))

    assert copies() == publications()
    assert copies()["draft"] == (None, False)
    assert copies()["later"][1] is True  # public once its time comes: reads check the time


def test_the_copy_follows_every_way_of_changing_an_article():
    article = ArticleFactory(slug="story", status="published")
    other = ArticleFactory(slug="other", status="published")

    article.status = "draft"
    article.save()  # the editor's save
    assert copies()["story"][1] is False

    moved = timezone.now() - timedelta(days=3)
    Article.objects.filter(pk=article.pk).update(status="published", published_at=moved)
    assert copies()["story"] == (moved, True)  # an admin action's UPDATE

    with connection.cursor() as cursor:
        cursor.execute("UPDATE articles_article SET status = 'archived' WHERE id = %s", [other.pk])
    assert copies()["other"][1] is False  # SQL by hand

    article.tags.add(TagFactory(name="Airships"))  # the document written again
    assert copies() == publications()


def test_a_new_language_keeps_the_copy_and_its_triggers(settings):
    ArticleFactory(slug="story", status="published")
    settings.SEARCH_CONFIG = "simple"
    search_index.after_migrate(sender=None)  # the table made again
    try:
        assert copies() == publications()
        Article.objects.filter(slug="story").update(status="draft")
        assert copies()["story"][1] is False
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'articles_search' "
                "ORDER BY indexname"
            )
            names = [name for (name,) in cursor.fetchall()]
        assert names == [
            "articles_search_document",
            "articles_search_pkey",
            search_index.PUBLIC_RECENT_INDEX,
        ]
    finally:
        settings.SEARCH_CONFIG = "english"
        search_index.after_migrate(sender=None)


def test_the_search_box_walks_past_articles_unpublished_by_an_update(api_client, settings):
    """30 matching articles, a window of 25: the newest five unpublished by an UPDATE
    (no save, no signal) leave the 25 after them in the window. Had the copy kept them
    public, the window would hold them and show five articles fewer."""
    settings.API_RESPONSE_CACHE = False
    settings.SEARCH_RANK_WINDOW = 25
    for i in range(30):
        ArticleFactory(
            slug=f"airship-{i}",
            body="<p>The zeppelin flew.</p>",
            published_at=timezone.now() - timedelta(hours=i + 1),
        )
    Article.objects.filter(slug__in=[f"airship-{i}" for i in range(5)]).update(status="draft")

    params = {"search": "zeppelin", "page_size": 30, "fields": "slug"}
    first = api_client.get(URL, params).json()  # the count, on the full path
    again = api_client.get(URL, params).json()  # the search box's own statement
    reference = api_client.get(URL, {**params, "ordering": "relevance,-published_at"}).json()

    expected = {f"airship-{i}" for i in range(5, 30)}
    assert first["count"] == again["count"] == 25
    assert {item["slug"] for item in again["results"]} == expected
    assert again["results"] == reference["results"] == first["results"]


def test_a_new_search_alone_counts_its_window_from_the_documents(api_client, settings):
    """Its first request (the count, and the page through the annotated queryset) finds
    the window from the documents' own copy too; a filtered search walks the articles."""
    settings.API_RESPONSE_CACHE = False
    ArticleFactory(slug="story", body="<p>The zeppelin flew.</p>")

    def windows(params) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert api_client.get(URL, params).json()["count"] == 1
        return [q["sql"] for q in captured.captured_queries if "articles_search" in q["sql"]]

    alone = windows({"search": "zeppelin"})
    filtered = windows({"search": "zeppelin", "category": Article.objects.get().category.slug})

    assert alone and all("FROM articles_search d WHERE d.public AND" in sql for sql in alone)
    assert filtered and not any("d.public" in sql for sql in filtered)
