"""Search snippets made in Python (articles/snippets.py): what PostgreSQL's searches
show, the words found as its text search configuration finds them."""

from __future__ import annotations

import random
import re
from html import escape

import pytest

from articles import snippets
from articles.search import parse, snippet_html

ENGLISH = snippets.stemmer_for("english")


def shown(text: str, search: str, *, stemmer=ENGLISH, words: int = 24) -> str:
    stems = snippets.wanted_stems(parse(search), stemmer)
    return snippet_html(snippets.snippet(text, stems, stemmer, words=words))


def test_other_forms_of_a_word_are_marked():
    text = "Leica announced it. The announcement says Panasonic will announce more."

    assert shown(text, "announcing") == (
        "Leica <mark>announced</mark> it. The <mark>announcement</mark> says Panasonic "
        "will <mark>announce</mark> more."
    )


def test_excluded_words_are_not_marked_and_phrase_words_are():
    text = "Digital cameras from Leica; cameras from Panasonic."

    assert shown(text, '"digital cameras" -panasonic') == (
        "<mark>Digital</mark> <mark>cameras</mark> from Leica; <mark>cameras</mark> from Panasonic."
    )


def test_the_passage_is_where_most_words_found_are():
    filler = " ".join(f"word{n}" for n in range(40))
    text = f"Zeppelin at the start. {filler} A zeppelin crew and a zeppelin hangar. {filler}"

    passage = shown(text, "zeppelin crew", words=10)

    assert passage.count("<mark>") == 3
    assert "<mark>crew</mark>" in passage
    assert len(passage.replace("<mark>", "").replace("</mark>", "").split()) == 10


def test_no_word_found_in_the_body_shows_its_beginning():
    text = " ".join(f"w{n}" for n in range(50))

    assert shown(text, "zeppelin", words=5) == "w0 w1 w2 w3 w4"


def test_everything_but_the_marks_is_escaped():
    text = 'The zeppelin & <script>alert("x")</script> crew'

    assert shown(text, "zeppelin crew") == (
        'The <mark>zeppelin</mark> &amp; &lt;script&gt;alert("x")&lt;/script&gt; <mark>crew</mark>'
    )


def test_a_letter_that_lowers_to_two_keeps_the_words_in_place():
    # "İ" lowers to two characters: the words are found in the text as written.
    text = "İstanbul hosts a zeppelin show."

    assert shown(text, "zeppelin") == "İstanbul hosts a <mark>zeppelin</mark> show."


def test_the_simple_configuration_does_not_stem():
    simple = snippets.stemmer_for("simple")

    assert shown("Cameras and a camera.", "camera", stemmer=simple) == (
        "Cameras and a <mark>camera</mark>."
    )


@pytest.mark.parametrize("config", ["pg_catalog.german", "french", "english"])
def test_snowball_languages_are_stemmed_here(config):
    assert snippets.stemmer_for(config) is not None


def test_another_configuration_keeps_ts_headline():
    assert snippets.stemmer_for("my_custom_thesaurus") is None


def test_empty_text_has_no_snippet():
    assert shown("", "zeppelin") == ""
    assert shown("— … !", "zeppelin") == ""


def test_a_pages_snippets_are_each_texts_own():
    # A page's words are stemmed once for all its texts: each still marks its own.
    texts = [
        "Cameras, and a camera.",
        "No such word here, nothing at all.",
        "İstanbul: one CAMERA & <b>tags</b> in plain text.",
        "",
    ]
    stems = snippets.wanted_stems(parse("camera"), ENGLISH)

    page = snippets.page_snippets(texts, stems, ENGLISH, words=6)

    assert page == [snippets.snippet(text, stems, ENGLISH, words=6) for text in texts]
    assert [snippet_html(each) for each in page] == [
        "<mark>Cameras</mark>, and a <mark>camera</mark>.",
        "No such word here, nothing at",
        "İstanbul: one <mark>CAMERA</mark> &amp; &lt;b&gt;tags&lt;/b&gt;",
        "",
    ]


def _reference_snippet(text: str, stems: frozenset[str], stemmer, words: int) -> str:
    """The snippet as first written: every word found by the regex, one at a time."""
    lowered = text.lower()
    source = lowered if len(lowered) == len(text) else text
    matches = list(re.finditer(r"[^\W_]+", source))
    if not matches:
        return ""
    stemmed = stemmer.stemWords([match.group().lower() for match in matches])
    found = [index for index, stem in enumerate(stemmed) if stem in stems]
    start = 0
    if found:
        most, first, last, behind = 0, found[0], found[0], 0
        for ahead, index in enumerate(found):
            while index - found[behind] >= words:
                behind += 1
            if ahead - behind + 1 > most:
                most, first, last = ahead - behind + 1, found[behind], index
        start = max(0, min(first - (words - (last - first + 1)) // 2, len(matches) - words))
    end = min(len(matches), start + words)
    parts, position = [], matches[start].start()
    for index in (index for index in found if start <= index < end):
        begin, finish = matches[index].span()
        parts += [escape(text[position:begin], quote=False), snippets.START]
        parts += [escape(text[begin:finish], quote=False), snippets.STOP]
        position = finish
    tail = re.compile(r"[^\s\w]*").match(text, matches[end - 1].end()).end()
    return "".join([*parts, escape(text[position:tail], quote=False)])


def test_the_quick_split_finds_the_words_the_regex_finds():
    # Words, ASCII punctuation, the typographic marks split quickly, and what only the
    # regex splits (©, €, an underscore, İ, a combining accent, ideographic space).
    pieces = [
        "camera", "Cameras", "CAMERA", "x", "42", "naïve", "Straße", "İstanbul", "e\u0301",
        " ", "  ", "\n", ", ", ".", "'", "-", "_", "’", "“", "”", "—", "…", "«", "©", "€",
        "\u00a0", "\u3000", "<b>", "&amp;",
    ]  # fmt: skip
    rng = random.Random(7)
    texts = ["".join(rng.choices(pieces, k=rng.randint(0, 80))) for _ in range(400)]
    stems = snippets.wanted_stems(parse("camera x"), ENGLISH)

    page = snippets.page_snippets(texts, stems, ENGLISH, words=8)

    assert page == [_reference_snippet(text, stems, ENGLISH, 8) for text in texts]
    assert sum(snippets.START in each for each in page) > 300  # words were found


def test_the_ascii_split_finds_the_words_the_regex_finds():
    # ASCII text (most text) takes the quickest split: the same words, in the same places.
    pieces = [
        "camera", "Cameras", "CAMERA", "x", "X42", "42", "zeppelin", " ", "  ", "\n", "\t",
        ", ", ".", "'", "-", "_", "<b>", "&amp;", "\x1f", "\x7f", "camera_x",
    ]  # fmt: skip
    rng = random.Random(11)
    texts = ["".join(rng.choices(pieces, k=rng.randint(0, 120))) for _ in range(400)]
    stems = snippets.wanted_stems(parse("camera x"), ENGLISH)

    page = snippets.page_snippets(texts, stems, ENGLISH, words=8)

    assert all(text.isascii() for text in texts)
    assert page == [_reference_snippet(text, stems, ENGLISH, 8) for text in texts]
    assert sum(snippets.START in each for each in page) > 300  # words were found
