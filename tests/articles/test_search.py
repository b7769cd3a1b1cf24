"""Ranked full-text search (issue #19, docs/search.md), through the API where it can be:
the same tests on SQLite (FTS5) and PostgreSQL (tsvector, GIN)."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from articles import search_index, selectors
from articles.demo_data import LEICA_SLUG
from articles.models import Article, ArticleSearchDocument, Tag
from articles.services import demo_data_load
from articles.signals import bulk_content_changed
from tests.articles.test_query_counts import ARTICLE_LIST_QUERIES
from tests.factories import ArticleFactory, CategoryFactory, TagFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/articles/"
# A search is the list's queries; SQLite first asks FTS5 whether the words are common
# (articles/search.py, _in_window).
SEARCH_QUERIES = ARTICLE_LIST_QUERIES + (connection.vendor == "sqlite")


def found(client, text: str, **params) -> list[str]:
    """The slugs a search answers, in order."""
    response = client.get(URL, {"search": text, **params})
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


@pytest.fixture
def demo(db):
    demo_data_load()


def an_hour_ago(hours: int = 1):
    return timezone.now() - timedelta(hours=hours)


# --- what is found -----------------------------------------------------------------------


def test_words_apart_find_the_article_that_has_them_all(api_client, demo):
    # "Leica And Panasonic Announce New Cooperation For Digital Cameras, ..."
    assert found(api_client, "cooperation cameras") == [LEICA_SLUG]
    assert found(api_client, "Cameras COOPERATION") == [LEICA_SLUG]
    assert found(api_client, "cooperation zeppelin") == []


def test_a_word_finds_its_other_forms(api_client):
    ArticleFactory(slug="announce", title="Two makers announce a partnership", body="<p>x</p>")
    ArticleFactory(slug="other", title="Nothing to say", body="<p>Quiet.</p>")

    assert found(api_client, "announcing") == ["announce"]
    assert found(api_client, "announcements") == ["announce"]
    assert found(api_client, "partnerships") == ["announce"]


def test_a_phrase_must_appear_as_written(api_client, demo):
    ArticleFactory(slug="apart", title="Cameras go digital", published_at=an_hour_ago())

    assert found(api_client, '"digital cameras"') == [LEICA_SLUG]
    assert sorted(found(api_client, "digital cameras")) == sorted([LEICA_SLUG, "apart"])


def test_a_phrase_never_spans_two_fields(api_client):
    ArticleFactory(slug="apart", title="Talks on the climate", excerpt="Report due in May.")
    ArticleFactory(slug="together", title="A climate report", excerpt="Due in May.")

    assert found(api_client, '"climate report"') == ["together"]
    assert sorted(found(api_client, "climate report")) == ["apart", "together"]


def test_a_dash_excludes_a_word(api_client, demo):
    # Both name Leica (the museum by its tag and its body); one names Panasonic too.
    assert found(api_client, "leica -panasonic") == ["museum-reopens-its-photography-wing"]
    assert found(api_client, 'leica -"early leica"') == [LEICA_SLUG]
    assert found(api_client, "-panasonic") == []  # nothing asked for: nothing found


def test_or_accepts_either(api_client, demo):
    assert sorted(found(api_client, "telescope or chipmakers")) == [
        "a-telescope-that-sees-the-first-galaxies",
        "chipmakers-report-record-quarter",
    ]
    assert found(api_client, "telescope OR zeppelin") == [
        "a-telescope-that-sees-the-first-galaxies"
    ]


def test_stop_words_find_nothing_and_change_nothing(api_client, demo):
    assert found(api_client, "the") == found(api_client, "and or the") == []
    assert found(api_client, "the telescope") == found(api_client, "telescope")


def test_category_and_tag_names_are_searched(api_client):
    ArticleFactory(slug="tagged", title="A story", tags=[TagFactory(name="Zeppelins")])
    ArticleFactory(slug="filed", title="Another", category=CategoryFactory(name="Airships"))

    assert found(api_client, "zeppelin") == ["tagged"]
    assert found(api_client, "airship") == ["filed"]


def test_markup_is_not_searched_and_paragraphs_are_words_apart(api_client):
    ArticleFactory(
        slug="marked-up",
        body='<p><a href="https://example.com/strong">Le<em>ica</em></a></p><p>cameras</p>',
    )
    assert found(api_client, "leica") == ["marked-up"]
    assert found(api_client, "strong") == []  # an attribute, not text
    assert found(api_client, '"leica cameras"') == ["marked-up"]  # consecutive words


# --- ranking and ordering --------------------------------------------------------------------


def test_the_demo_article_named_in_its_title_comes_first(api_client, demo):
    # The Leica article is long and names Leica in its title; a short demo article names
    # it once in its body. bm25 alone (SQLite) put the short one first.
    slugs = found(api_client, "leica")
    assert len(slugs) >= 2
    assert slugs[0].startswith("leica-and-panasonic")


def test_a_long_article_with_a_title_match_ranks_above_a_short_body_only_match(api_client):
    ArticleFactory(
        slug="long-in-title",
        title="Zeppelin works",
        body="".join(f"<p>Paragraph {i} about airships and their makers.</p>" for i in range(80))
        + "<p>The zeppelin flew.</p>",
        published_at=an_hour_ago(5),
    )
    ArticleFactory(
        slug="short-in-body",
        title="Evening news",
        body="<p>A zeppelin.</p>",
        published_at=an_hour_ago(1),
    )
    assert found(api_client, "zeppelin") == ["long-in-title", "short-in-body"]


def test_a_title_match_ranks_above_a_body_only_match(api_client):
    ArticleFactory(
        slug="in-title",
        title="A zeppelin over the city",
        body="<p>It flew low.</p>",
        published_at=an_hour_ago(5),
    )
    ArticleFactory(
        slug="in-body",
        title="Evening news",
        body="<p>A zeppelin, then another zeppelin, then a third zeppelin.</p>",
        published_at=an_hour_ago(1),  # newer: first by date
    )

    assert found(api_client, "zeppelin") == ["in-title", "in-body"]
    assert found(api_client, "zeppelin", ordering="relevance") == ["in-title", "in-body"]
    assert found(api_client, "zeppelin", ordering="-published_at") == ["in-body", "in-title"]
    assert found(api_client, "zeppelin", ordering="-title") == ["in-body", "in-title"]


@pytest.mark.parametrize("text", ["zeppelin airships", "zeppelin or balloons"])
def test_one_word_of_several_in_the_title_ranks_above_the_body_alone(api_client, text):
    # Every word asked for is in both articles; only one is in a title. PostgreSQL's
    # ts_rank with the title's weight alone is 0 for an AND query unless two of its
    # words are in the title: the bonus asks for any word, as SQLite's bm25 does.
    ArticleFactory(
        slug="in-title",
        title="A zeppelin over the city",
        body="<p>Airships are back.</p>",
        published_at=an_hour_ago(5),
    )
    ArticleFactory(
        slug="in-body",
        title="Evening news",
        body="<p>Zeppelin airships, zeppelin airships, more zeppelin airships.</p>",
        published_at=an_hour_ago(1),  # newer: first by date
    )

    assert found(api_client, text) == ["in-title", "in-body"]
    assert found(api_client, text, page_size=1) == ["in-title"]  # the page's own reader


def test_relevance_is_an_order_for_searches_only(api_client):
    ArticleFactory()

    response = api_client.get(URL, {"ordering": "relevance"})

    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]
    assert api_client.get(URL, {"ordering": "-relevance", "search": "x"}).status_code == 400
    assert api_client.get(URL, {"ordering": "relevance,title", "search": "x"}).status_code == 200


# --- snippets ----------------------------------------------------------------------------------


def test_snippets_mark_the_words_found_and_escape_everything_else(api_client):
    ArticleFactory(
        slug="code",
        body=(
            "<p>The zeppelin &amp; its crew wrote &lt;script&gt;alert(1)&lt;/script&gt; "
            "and &lt;b&gt;bold&lt;/b&gt; in &quot;quotes&quot;.</p>"
            "<script>alert(2)</script><p><strong>More</strong> text.</p>"
        ),
    )

    item = api_client.get(URL, {"search": "zeppelin crew"}).json()["results"][0]
    snippet = item["search_snippet"]

    assert "<mark>zeppelin</mark>" in snippet
    assert "<mark>crew</mark>" in snippet
    assert re.findall(r"<[^>]*>", snippet.replace("<mark>", "").replace("</mark>", "")) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet
    assert "&lt;b&gt;bold&lt;/b&gt;" in snippet
    assert "zeppelin</mark> &amp; its" in snippet
    assert "alert(2)" not in snippet  # the sanitizer dropped the real script


def test_a_snippet_only_when_searching(api_client):
    ArticleFactory(slug="story", title="Zeppelin", body="<p>Flying <em>low</em>.</p>")

    listed = api_client.get(URL).json()["results"][0]
    detail = api_client.get(f"{URL}story/", {"search": "zeppelin"}).json()
    narrowed = api_client.get(URL, {"search": "zeppelin", "fields": "slug"}).json()["results"]
    chosen = api_client.get(URL, {"search": "zeppelin", "fields": "slug,search_snippet"})

    assert "search_snippet" not in listed
    assert "search_snippet" not in detail
    assert narrowed == [{"slug": "story"}]
    # Found in the title only: the body's beginning, nothing marked.
    assert chosen.json()["results"] == [{"slug": "story", "search_snippet": "Flying low."}]


# --- who sees what ---------------------------------------------------------------------------


def test_drafts_and_scheduled_articles_are_never_found(api_client, demo):
    draft = "draft-notes-on-next-years-camera-launches"
    scheduled = "scheduled-interview-with-a-lens-designer"

    for text in ("launches", "camera launches", "draft", "designer", "lens designer", "sketch"):
        assert draft not in found(api_client, text)
        assert scheduled not in found(api_client, text)
    assert found(api_client, "designer") == []
    assert found(api_client, "workflow") == []  # the draft's excerpt


def test_an_article_whose_time_comes_is_found_then(api_client):
    ArticleFactory(slug="later", title="Zeppelin", status="scheduled", published_at=an_hour_ago(-1))
    assert found(api_client, "zeppelin") == []

    Article.objects.filter(slug="later").update(published_at=an_hour_ago())
    assert found(api_client, "zeppelin") == ["later"]


# --- the index follows every write -----------------------------------------------------------


def test_an_edit_is_found_by_the_next_search(api_client):
    article = ArticleFactory(slug="story", title="Airship", body="<p>Old words.</p>")
    assert found(api_client, "airship") == ["story"]

    article.title = "Zeppelin"
    article.body = "<p>New words.</p>"
    article.save()

    assert found(api_client, "airship") == []
    assert found(api_client, "zeppelin") == ["story"]
    assert found(api_client, "new words") == ["story"]


def test_renaming_a_category_or_a_tag_is_found_by_the_next_search(api_client):
    category, tag = CategoryFactory(name="Airships"), TagFactory(name="Balloons")
    ArticleFactory(slug="story", category=category, tags=[tag])

    category.name = "Zeppelins"
    category.save()
    tag.name = "Dirigibles"
    tag.save()

    assert found(api_client, "zeppelin") == ["story"]
    assert found(api_client, "dirigible") == ["story"]
    assert found(api_client, "airships") == found(api_client, "balloons") == []


def test_tags_changed_from_either_side_are_found_by_the_next_search(api_client):
    article = ArticleFactory(slug="story")
    zeppelins, balloons = TagFactory(name="Zeppelins"), TagFactory(name="Balloons")

    article.tags.add(zeppelins)
    assert found(api_client, "zeppelin") == ["story"]
    balloons.articles.add(article)
    assert found(api_client, "balloon") == ["story"]
    zeppelins.articles.remove(article)
    assert found(api_client, "zeppelin") == []
    balloons.articles.clear()
    assert found(api_client, "balloon") == []

    article.tags.set([zeppelins])
    zeppelins.delete()
    assert found(api_client, "zeppelin") == []


def test_a_deleted_article_takes_its_document_with_it(api_client):
    article = ArticleFactory(slug="story", title="Zeppelin")
    pk = article.pk

    article.delete()

    assert not ArticleSearchDocument.objects.filter(pk=pk).exists()
    assert found(api_client, "zeppelin") == []


def test_a_bulk_write_is_found_once_it_is_announced(api_client):
    # What the WordPress importer does: writes that send no model signal, then
    # bulk_content_changed in the same transaction.
    article = ArticleFactory(slug="story", title="Airship")
    tag = TagFactory(name="Balloons")
    Article.objects.filter(pk=article.pk).update(title="Zeppelin")
    Article.tags.through.objects.create(article=article, tag=tag)
    Tag.objects.filter(pk=tag.pk).update(name="Dirigibles")

    bulk_content_changed.send(sender=None)

    assert found(api_client, "zeppelin dirigible") == ["story"]
    assert found(api_client, "airship") == []
    # Every document is compared, and only those that differ are written.
    assert search_index.rebuild_search_documents() == 0


def test_the_demo_data_leaves_every_article_searchable(api_client):
    demo_data_load()
    demo_data_load()  # idempotent: nothing written the second time

    assert ArticleSearchDocument.objects.count() == Article.objects.count()
    assert found(api_client, "eye detection") == ["hands-on-with-a-new-full-frame-mirrorless-body"]


def test_the_rebuild_command_repairs_writes_that_bypassed_the_app(api_client):
    ArticleFactory(slug="story", title="Airship")
    Article.objects.filter(slug="story").update(title="Zeppelin")  # no signal: stale
    assert found(api_client, "zeppelin") == []
    out = StringIO()

    call_command("rebuild_search_index", stdout=out)

    assert out.getvalue() == "1 search document(s) written.\n"
    assert found(api_client, "zeppelin") == ["story"]


def test_migrate_indexes_articles_written_before_the_index(api_client):
    ArticleFactory(slug="story", title="Zeppelin")
    ArticleSearchDocument.objects.all().delete()
    assert found(api_client, "zeppelin") == []

    search_index.after_migrate(sender=None)

    assert found(api_client, "zeppelin") == ["story"]


def test_a_new_language_rebuilds_the_index_at_the_next_migrate(api_client, settings):
    ArticleFactory(slug="story", title="Two makers announce a partnership")
    settings.SEARCH_CONFIG = "simple"  # words as written, on both databases

    search_index.after_migrate(sender=None)

    assert found(api_client, "announcing") == []
    assert found(api_client, "announce") == ["story"]
    settings.SEARCH_CONFIG = "english"
    search_index.after_migrate(sender=None)
    assert found(api_client, "announcing") == ["story"]


# --- robustness and cost -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "*",
        "NEAR(",
        "-",
        "OR",
        "AND",
        "NOT",
        "or or",
        '"unbalanced phrase',
        '""',
        "leica*",
        "^leica",
        "title:leica",
        "NEAR(leica panasonic, 2)",
        "(leica OR",
        "leica -",
        "--leica",
        "leica - panasonic",
        "'",
        "\\",
        "%",
        "_",
        "'; DROP TABLE articles_article; --",
        "ann@example.com",
        "e-mail",
        "🙂 emoji",
        "x" * 200,
        " ".join(["leica"] * 60)[:200],
    ],
)
def test_any_text_answers_200(api_client, demo, text):
    response = api_client.get(URL, {"search": text})

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert all("search_snippet" in item for item in results)


def test_syntax_characters_are_plain_text(api_client, demo):
    assert found(api_client, "leica*") == found(api_client, "leica")
    assert found(api_client, "NEAR(cooperation") == found(api_client, "near cooperation") == []
    # NOT is a word to find (here a stop word on PostgreSQL), not FTS5's operator.
    assert found(api_client, "cooperation NOT panasonic") == [LEICA_SLUG]


def test_a_search_costs_the_queries_of_the_list_whatever_it_finds(
    api_client, django_assert_num_queries, settings
):
    settings.API_RESPONSE_CACHE = False  # the cold path, as tests/articles/test_query_counts.py
    ArticleFactory(title="Zeppelin 0", tags=TagFactory.create_batch(2))
    with django_assert_num_queries(SEARCH_QUERIES):
        response = api_client.get(URL, {"search": "zeppelin", "page_size": 50})
    assert len(response.json()["results"]) == 1

    for n in range(1, 30):
        ArticleFactory(title=f"Zeppelin {n}", tags=TagFactory.create_batch(2))
    with django_assert_num_queries(SEARCH_QUERIES):
        response = api_client.get(URL, {"search": "zeppelin", "page_size": 50})
    results = response.json()["results"]
    assert len(results) == 30
    assert all("search_snippet" in item and len(item["tags"]) == 2 for item in results)


# --- the editors' admin ------------------------------------------------------------------------


def admin_titles(client, **params) -> list[str]:
    page = client.get("/admin/articles/article/", params)
    assert page.status_code == 200
    return re.findall(r'class="field-title"><a [^>]*>([^<]+)</a>', page.text)


def test_the_admin_article_search_is_the_same_search_best_first(admin_client):
    ArticleFactory(title="Airship news", body="<p>A zeppelin, a zeppelin.</p>")
    ArticleFactory(title="A zeppelin draft", status="draft", published_at=None)
    ArticleFactory(title="Unrelated", body="<p>Zeppelins? No.</p>", status="archived")

    # Drafts and archived articles too: editors find everything; the title match first.
    assert admin_titles(admin_client, q="zeppelins")[0] == "A zeppelin draft"
    assert len(admin_titles(admin_client, q="zeppelins")) == 3
    assert admin_titles(admin_client, q="zeppelin -airship -unrelated") == ["A zeppelin draft"]
    # The editor's own order still wins when a column is clicked.
    assert admin_titles(admin_client, q="zeppelin", o="1") == [
        "A zeppelin draft",
        "Airship news",
        "Unrelated",
    ]
    assert admin_titles(admin_client, q='NEAR( "*') == []


# --- the plans -----------------------------------------------------------------------------------


def _page_of(text: str):
    queryset = selectors.search_articles(queryset=selectors.visible_articles(), text=text)
    return queryset.order_by("-search_rank", "-published_at", "-id").values(
        *selectors.LIST_ROW_COLUMNS, "search_snippet"
    )[:20]


def _explain(queryset, prefix: str) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def _many_articles(n: int) -> None:
    """`n` visible articles of a few hundred words, six about zeppelins, and their
    documents."""
    now = timezone.now()
    words = [f"word{i}" for i in range(2000)]
    Article.objects.bulk_create(
        Article(
            title=f"Story {i}" + (" about a zeppelin" if i % 500 == 0 else ""),
            slug=f"story-{i}",
            body="".join(
                f"<p>{' '.join(words[(i * 7 + p * 13 + k) % 2000] for k in range(60))}.</p>"
                for p in range(5)
            ),
            status="published",
            published_at=now - timedelta(minutes=i),
        )
        for i in range(n)
    )
    bulk_content_changed.send(sender=None)  # as an import ends


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_postgresql_finds_through_the_gin_index():
    _many_articles(3000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
        cursor.execute("ANALYZE articles_search")

    plan = _explain(_page_of("zeppelin"), "EXPLAIN ")

    assert "articles_search_document" in plan, plan  # the GIN index
    assert "Seq Scan on articles_article" not in plan, plan
    assert "Seq Scan on articles_search" not in plan, plan
    assert len(list(_page_of("zeppelin"))) == 6


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's storage")
@pytest.mark.parametrize("language", ["english", "simple"])
def test_postgresql_keeps_the_document_in_the_row_and_the_body_out(settings, language):
    settings.SEARCH_CONFIG = language
    search_index.after_migrate(sender=None)  # "simple": the column made again

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname IN ('body', 'document') ORDER BY attname",
            [ArticleSearchDocument._meta.db_table],
        )
        assert cursor.fetchall() == [("body", "e"), ("document", "m")]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
def test_sqlite_finds_through_the_fts5_table():
    _many_articles(3000)
    from plumbing.sqlite import analyze

    analyze()

    plan = _explain(_page_of("zeppelin"), "EXPLAIN QUERY PLAN ")

    assert re.search(r"SCAN articles_search VIRTUAL TABLE INDEX \d+:M", plan), plan
    assert "SEARCH articles_article USING INTEGER PRIMARY KEY" in plan, plan
    assert len(list(_page_of("zeppelin"))) == 6
