"""A reader's search text, read once (articles/search_syntax.py) and written as
PostgreSQL's websearch syntax and as an FTS5 query in which nothing typed is syntax."""

import pytest

from articles.search_syntax import (
    ENGLISH_STOP_WORDS,
    MAX_TERMS,
    Term,
    parse_websearch,
    stop_words,
)


def test_words_are_all_required():
    query = parse_websearch("cooperation  cameras")

    assert query.groups == ((Term("cooperation"), Term("cameras")),)
    assert query.as_fts5() == '"cooperation" AND "cameras"'
    assert query.as_websearch() == "cooperation cameras"


def test_quotes_make_a_phrase_and_an_unclosed_quote_runs_to_the_end():
    assert parse_websearch('leica "digital  cameras"').as_fts5() == (
        '"leica" AND "digital cameras"'
    )
    assert parse_websearch('"digital cameras').groups == ((Term("digital cameras", phrase=True),),)
    assert parse_websearch('leica"digital"').as_websearch() == 'leica "digital"'


def test_a_dash_excludes_the_next_word_or_phrase():
    assert parse_websearch("leica -panasonic").as_fts5() == '("leica") NOT "panasonic"'
    assert parse_websearch("leica - panasonic").as_websearch() == "leica -panasonic"
    assert parse_websearch('leica -"new cooperation"').as_fts5() == (
        '("leica") NOT "new cooperation"'
    )
    # Inside a word or a phrase a dash is text.
    assert parse_websearch("leica-panasonic").as_fts5() == '"leica-panasonic"'
    assert parse_websearch('"leica -panasonic"').as_fts5() == '"leica -panasonic"'


def test_or_separates_alternatives_and_binds_loosest():
    query = parse_websearch("a b OR c -d")

    assert query.as_fts5() == '("a" AND "b") OR (("c") NOT "d")'
    assert query.as_websearch() == "a b or c -d"
    # Leading, trailing and repeated: nothing to separate.
    assert parse_websearch("or leica or or panasonic or").as_websearch() == "leica or panasonic"


def test_exclusions_alone_ask_for_nothing():
    assert parse_websearch("-panasonic").is_empty
    assert parse_websearch("-leica or panasonic").as_websearch() == "panasonic"


@pytest.mark.parametrize(
    "text", ["", "   ", '"', '""', "*", "-", "--", "OR", "or or", "()", "_", "...", "- * -"]
)
def test_text_without_a_word_finds_nothing(text):
    assert parse_websearch(text).is_empty


@pytest.mark.parametrize(
    ("text", "fts5"),
    [
        ("NEAR(", '"NEAR("'),
        ("leica*", '"leica*"'),
        ("^leica", '"^leica"'),
        ("title:leica", '"title:leica"'),
        ("AND NOT", '"AND" AND "NOT"'),
        ("a'b", '"a\'b"'),
        ("x\\y", '"x\\y"'),
    ],
)
def test_fts5_syntax_typed_by_a_reader_stays_inside_quoted_strings(text, fts5):
    assert parse_websearch(text).as_fts5() == fts5


def test_a_long_text_is_cut_at_the_term_limit():
    query = parse_websearch(" ".join(f"w{i}" for i in range(100)))
    assert len(query.groups[0]) == MAX_TERMS


def test_stop_words_are_dropped_outside_phrases():
    assert parse_websearch("the zeppelin", ignored=ENGLISH_STOP_WORDS).as_fts5() == '"zeppelin"'
    assert parse_websearch("The OR a", ignored=ENGLISH_STOP_WORDS).is_empty
    assert parse_websearch('"leica and panasonic"', ignored=ENGLISH_STOP_WORDS).as_fts5() == (
        '"leica and panasonic"'
    )
    assert stop_words("english") == stop_words("pg_catalog.english") == ENGLISH_STOP_WORDS
    assert stop_words("german") == stop_words("simple") == frozenset()


def test_any_term_asks_for_each_wanted_term_alone():
    query = parse_websearch('leica "digital cameras" -film or panasonic leica')

    assert query.any_term().as_websearch() == 'leica or "digital cameras" or panasonic'
    assert parse_websearch("zeppelin").any_term() == parse_websearch("zeppelin")
