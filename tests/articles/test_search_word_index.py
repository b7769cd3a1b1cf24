"""Each body's word index (articles.models.ArticleWordIndex, snippets.word_index): made
when the body is indexed, so that a search's snippets on PostgreSQL do not split and stem
each body shown again (docs/search.md, "Snippets"). The snippets are the same with it and
without it; every write path keeps it; SQLite, whose FTS5 makes its own snippets, has none.
"""

from __future__ import annotations

import random

import pytest
from django.db import connection

from articles import search_index, snippets
from articles.models import Article, ArticleSearchDocument, ArticleWordIndex
from articles.search import parse
from tests.articles.test_snippets import ENGLISH, _reference_snippet
from tests.factories import ArticleFactory, CategoryFactory, TagFactory

URL = "/api/v1/articles/"
POSTGRESQL = connection.vendor == "postgresql"
postgresql_only = pytest.mark.skipif(not POSTGRESQL, reason="Python makes PostgreSQL's snippets")

_PIECES = [
    "camera", "Cameras", "CAMERA", "x", "X42", "42", "naïve", "Straße", "İstanbul", "e\u0301",
    " ", "  ", ", ", ".", "'", "-", "_", "’", "“", "—", "…", "©", "€", "\u3000", "<b>",
    "&amp;", "camera_x", "zeppelin",
]  # fmt: skip


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    ascii_pieces = [piece for piece in _PIECES if piece.isascii()]
    return [
        "".join(rng.choices(_PIECES if number % 2 else ascii_pieces, k=rng.randint(0, 120)))
        for number in range(count)
    ]


# --- the index itself ------------------------------------------------------------------------


def test_a_snippet_from_the_word_index_is_the_snippet_from_the_text():
    texts = _texts(3, 400)
    # Past 65,535 characters the offsets are 32-bit: a word found beyond them.
    texts.append("filler words " * 6000 + "a camera at the end")
    stems = snippets.wanted_stems(parse("camera x"), ENGLISH)
    indexes = [snippets.word_index(text, ENGLISH) for text in texts]

    page = snippets.page_snippets(texts, stems, ENGLISH, words=8, indexes=indexes)

    assert page == [_reference_snippet(text, stems, ENGLISH, 8) for text in texts]
    assert sum(snippets.START in each for each in page) > 300  # words were found
    assert page[-1].endswith(f"a {snippets.START}camera{snippets.STOP} at the end")


def test_the_word_index_is_read_not_the_text_split_again():
    text = "The camera and the zeppelin"
    index = snippets.word_index(text, ENGLISH)
    starts, stems = index.split("\n")
    # Another stem in the zeppelin's place: the index says where the words are found.
    tampered = f"{starts}\n{stems.replace('zeppelin', 'camera')}"
    wanted = snippets.wanted_stems(parse("camera"), ENGLISH)

    made = snippets.snippet(text, wanted, ENGLISH, words=8, index=tampered)

    assert stems == "the camera and the zeppelin"
    assert (
        made
        == f"The {snippets.START}camera{snippets.STOP} and the {snippets.START}zeppelin{snippets.STOP}"
    )


@pytest.mark.parametrize(
    "broken",
    [
        "not base64!\nthe camera",  # undecodable
        "AAABAA==\nthe camera and",  # more stems than beginnings
        "AAD/AA==\nthe camera",  # a beginning past the text's end
    ],
)
def test_an_index_that_does_not_fit_its_text_is_set_aside(broken):
    # A body rewritten by SQL by hand, behind its index: the snippet from the text.
    text = "The camera and the zeppelin"
    wanted = snippets.wanted_stems(parse("zeppelin"), ENGLISH)

    made = snippets.snippet(text, wanted, ENGLISH, words=8, index=broken)

    assert made == snippets.snippet(text, wanted, ENGLISH, words=8)
    assert made == f"The camera and the {snippets.START}zeppelin{snippets.STOP}"


# --- kept by the write paths -------------------------------------------------------------------


def _indexes() -> dict[str, str]:
    """{slug: its body's word index} as stored."""
    rows = ArticleWordIndex.objects.values_list("document__article__slug", "words")
    return dict(rows)


def _expected(slug: str) -> str:
    body = ArticleSearchDocument.objects.get(article__slug=slug).body
    return snippets.word_index(body, ENGLISH)


@pytest.mark.django_db
@postgresql_only
def test_every_write_path_keeps_the_word_index(api_client):
    tag = TagFactory(name="Airships")
    category = CategoryFactory(name="Flight")
    story = ArticleFactory(slug="story", body="<p>A zeppelin flew.</p>", category=category)
    other = ArticleFactory(slug="other", body="<p>Balloons only.</p>")
    assert _indexes() == {"story": _expected("story"), "other": _expected("other")}

    story.body = "<p>Two zeppelins landed.</p>"
    story.save()
    assert _indexes()["story"] == _expected("story")
    assert "zeppelin land" in _indexes()["story"]

    story.tags.add(tag)  # the document written again: its index with it
    tag.name = "Dirigibles"
    tag.save()
    category.name = "Air"
    category.save()
    assert _indexes() == {"story": _expected("story"), "other": _expected("other")}

    other.delete()
    assert _indexes() == {"story": _expected("story")}

    Article.objects.filter(slug="story").update(body="<p>Rockets now.</p>")  # no signal
    search_index.rebuild_search_documents()
    assert "rocket now" in _indexes()["story"]
    # Each index holds the text it indexes: its document's body.
    indexed = ArticleWordIndex.objects.values_list("text", "document__body")
    assert [text for text, _ in indexed] == ["Rockets now."]
    assert all(text == body for text, body in indexed)


@pytest.mark.django_db
@postgresql_only
def test_the_snippet_is_read_from_the_index_text_in_one_row(api_client):
    ArticleFactory(slug="story", body="<p>The zeppelin flew.</p>")
    # The same words at the same places, written otherwise: the snippet shows the
    # index's text, not the document's body.
    ArticleWordIndex.objects.update(text="The zeppelin FLEW.")

    item = api_client.get(URL, {"search": "zeppelin"}).json()["results"][0]

    assert item["search_snippet"] == "The <mark>zeppelin</mark> FLEW."
    assert ArticleSearchDocument.objects.get().body == "The zeppelin flew."


@pytest.mark.django_db
@postgresql_only
def test_an_index_and_its_text_stay_whole_in_their_row():
    # PostgreSQL compresses or moves out of line a row past 2 KB by default: a body of
    # 2,500 characters with its index (about 5.7 KB) would be compressed, or read from
    # the TOAST table.
    ArticleFactory(slug="long", body="<p>" + "zeppelins fly over cities " * 95 + "</p>")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(w.text), pg_column_compression(w.text), c.reloptions, "
            "c.reltoastrelid::regclass::text "
            "FROM articles_search_words w, pg_class c WHERE c.relname = 'articles_search_words'"
        )
        size, compression, options, toast = cursor.fetchone()
        cursor.execute(f"SELECT count(*) FROM {toast}")  # noqa: S608
        (moved,) = cursor.fetchone()

    assert size > 2400 and compression is None  # the text as it is
    assert moved == 0  # nothing out of line
    assert options == ["toast_tuple_target=8160"]


@pytest.mark.django_db
@postgresql_only
def test_migrate_indexes_the_words_of_documents_without_them(api_client):
    ArticleFactory(slug="story", body="<p>The zeppelin flew over the <b>camera</b>.</p>")
    answered = api_client.get(URL, {"search": "zeppelin camera"}).json()["results"]
    ArticleWordIndex.objects.all().delete()

    # Without its index the snippet is made from the body, the same.
    assert api_client.get(URL, {"search": "zeppelin camera"}).json()["results"] == answered

    search_index.after_migrate(sender=None)

    assert _indexes() == {"story": _expected("story")}
    assert answered[0]["search_snippet"] == (
        "The <mark>zeppelin</mark> flew over the <mark>camera</mark>."
    )
    assert api_client.get(URL, {"search": "zeppelin camera"}).json()["results"] == answered


@pytest.mark.django_db
@postgresql_only
def test_a_new_language_stems_the_word_indexes_again(api_client, settings):
    ArticleFactory(slug="story", body="<p>Two makers announced cameras.</p>")
    assert "announc camera" in _indexes()["story"]
    settings.SEARCH_CONFIG = "simple"

    search_index.after_migrate(sender=None)

    assert "announced cameras" in _indexes()["story"]
    item = api_client.get(URL, {"search": "cameras"}).json()["results"][0]
    assert item["search_snippet"] == "Two makers announced <mark>cameras</mark>."
    settings.SEARCH_CONFIG = "english"
    search_index.after_migrate(sender=None)
    assert "announc camera" in _indexes()["story"]


@pytest.mark.django_db
@pytest.mark.skipif(POSTGRESQL, reason="SQLite's FTS5 makes its own snippets")
def test_sqlite_keeps_no_word_index(api_client):
    ArticleFactory(slug="story", body="<p>A zeppelin flew.</p>")

    search_index.rebuild_search_documents()
    search_index.after_migrate(sender=None)

    assert not ArticleWordIndex.objects.exists()
    item = api_client.get(URL, {"search": "zeppelin"}).json()["results"][0]
    assert item["search_snippet"] == "A <mark>zeppelin</mark> flew."
