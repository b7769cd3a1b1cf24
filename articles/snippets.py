"""A search snippet made in Python from an article's plain text, on PostgreSQL.

PostgreSQL's `ts_headline` parses the whole body of every article shown, and was the
largest part of a search's page there: 4.4 ms of the database's time for a page of 20
bodies of 1,200 characters (more for longer ones), where reading the bodies and making
the snippets here costs about 1 ms (docs/search.md, "Snippets"). The words are found
as PostgreSQL's text search configuration finds them: the same Snowball stemmer (PyStemmer
is Snowball's own C library) for the language SEARCH_CONFIG names. A configuration that
is not one of Snowball's languages (a custom dictionary, a thesaurus) keeps
`ts_headline` (`stemmer_for` answers None).

The snippet is in ts_headline's format, so both are read alike (articles/search.py,
snippet_html): HTML-escaped text, each word found between the private START and STOP
markers.
"""

from __future__ import annotations

import re
import sys
from array import array
from base64 import b64decode, b64encode
from functools import lru_cache
from html import escape
from typing import NamedTuple

import Stemmer

from articles.search_syntax import SearchQuery

# Private markers around each word found: control characters, which the index never
# holds (search_index.plain_text takes them out of every text).
START, STOP = "\x02", "\x03"
# Words as PostgreSQL's parser finds them, near enough: runs of letters and digits
# ("Leica's" is "leica" and "s", "state-of-the-art" its four words).
_WORD = re.compile(r"[^\W_]+")
# The same, captured: re.split gives the separators and the words in turn.
_PIECES = re.compile(r"([^\W_]+)")
# The quick split (_Words): every ASCII character but letters and digits made a space,
# byte for byte in UTF-8, and the punctuation most common in running text beyond ASCII.
_ASCII_SEPARATORS = bytes.maketrans(
    (separators := bytes(c for c in range(128) if not chr(c).isalnum())),
    b" " * len(separators),
)
_TYPOGRAPHIC = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00ab\u00bb"  # ‘’“”–—…«»
# After the passage's last word, its punctuation up to the next space ("low.").
_TRAILING = re.compile(r"[^\s\w]*")


class _Unstemmed:
    """PostgreSQL's `simple` configuration: every word as written, lowercased."""

    @staticmethod
    def stemWords(words: list[str]) -> list[str]:  # noqa: N802 - PyStemmer's name
        return words


@lru_cache(maxsize=8)
def stemmer_for(config: str):
    """The stemmer PostgreSQL's configuration `config` uses (`english`,
    `pg_catalog.german`, `simple`), or None when it is none of Snowball's languages."""
    name = config.split(".")[-1].lower()
    if name == "simple":
        return _Unstemmed()
    if name in Stemmer.algorithms():
        return Stemmer.Stemmer(name)
    return None


def wanted_stems(query: SearchQuery, stemmer) -> frozenset[str]:
    """The stems of every word the query asks for (not those it excludes)."""
    words = [
        word
        for group in query.groups
        for term in group
        if not term.excluded
        for word in _WORD.findall(term.text.lower())
    ]
    return frozenset(stemmer.stemWords(words))


def snippet(text: str, stems: frozenset[str], stemmer, *, words: int, index: str = "") -> str:
    """The passage of `words` words of `text` holding the most words found (centred on
    them), or its beginning when none is found; HTML-escaped, each word found between
    START and STOP. `index`: the text's word index, if it has one (`word_index`)."""
    return page_snippets([text], stems, stemmer, words=words, indexes=[index])[0]


def page_snippets(
    texts: list[str],
    stems: frozenset[str],
    stemmer,
    *,
    words: int,
    indexes: list[str] | None = None,
) -> list[str]:
    """`snippet` of each text: a page's. A text with its word index (`indexes`, made by
    `word_index` when it was indexed, "" where there is none) is not split again; the
    others' distinct words are stemmed once for all."""
    indexes = indexes or [""] * len(texts)
    made: dict[int, str] = {}
    unindexed = []
    for number, (text, index) in enumerate(zip(texts, indexes, strict=True)):
        passage = _indexed_passage(text, index, stems, words) if index else None
        if passage is None:
            unindexed.append(number)
        else:
            made[number] = passage
    split = [_Words.of(texts[number]) for number in unindexed]
    distinct = list(set().union(*(each.written for each in split)))
    found_forms = {
        word
        for word, stem in zip(distinct, stemmer.stemWords(distinct), strict=True)
        if stem in stems
    }
    for number, each in zip(unindexed, split, strict=True):
        written = each.written
        found = [index for index, word in enumerate(written) if word in found_forms]
        made[number] = _passage(texts[number], found, len(written), words, each.span_of)
    return [made[number] for number in range(len(texts))]


# --- the word index: what a snippet needs, made once, when the text is indexed ----------
#
# Splitting a page's 20 bodies into words and stemming them took about 1 ms of each
# search request (a fresh string per word, each hashed). Like the offsets a search engine
# keeps with its term vectors for highlighting, each body's words are found and stemmed
# once, when it is indexed (articles/search_index.py), and kept as two lines:
#   - where each word begins in the text: unsigned 16-bit integers, little-endian (32-bit
#     for a text past 65,535 characters), in base64;
#   - each word's stem, in order, one space between each (a stem is letters and digits).
# A snippet then finds the words asked for with str.find in the line of stems, and reads
# where the passage's words begin from the first line; a word ends where the regex's run
# of letters and digits from its beginning ends (the same words as _Words'), read for
# the few words the passage marks or ends with.


def _offset_type(text: str) -> str:
    return "H" if len(text) <= 0xFFFF else "I"


def word_index(text: str, stemmer) -> str:
    """The word index of `text` for `stemmer` (see above)."""
    split = _Words.of(text)
    starts = array(_offset_type(text), (begin for begin, _ in split.spans(0, len(split.written))))
    if sys.byteorder == "big":
        starts.byteswap()
    stems = stemmer.stemWords(split.written)
    return b64encode(starts.tobytes()).decode("ascii") + "\n" + " ".join(stems)


def _indexed_passage(text: str, index: str, stems: frozenset[str], words: int) -> str | None:
    """The snippet from the text's word index, or None when the index does not fit the
    text (a body rewritten by SQL by hand, not by the app): then it is made from the
    text."""
    encoded, _, stemmed = index.partition("\n")
    try:
        starts = array(_offset_type(text), b64decode(encoded))
    except ValueError:  # binascii.Error is one
        return None
    if sys.byteorder == "big":
        starts.byteswap()
    # As many stems as beginnings (one space between stems), each within the text.
    if stemmed.count(" ") + bool(starts) != len(starts) or (starts and starts[-1] >= len(text)):
        return None
    # Word n is the one after the line's nth space: " stem " found at a place, its
    # number is the spaces before that place (counted on from the previous find).
    line = f" {stemmed} "
    found = []
    for stem in stems:
        needle = f" {stem} "
        place, number, counted = line.find(needle), 0, 0
        while place >= 0:
            number += line.count(" ", counted, place)
            counted = place
            found.append(number)
            place = line.find(needle, place + len(needle) - 1)
    if len(stems) > 1:
        found.sort()
    lowered = text.lower()
    source = lowered if len(lowered) == len(text) else text  # as _Words.of's
    match = _WORD.match

    def span(number: int) -> tuple[int, int]:
        begin = starts[number]
        word = match(source, begin)  # None only if the text changed behind the index
        return begin, word.end() if word else begin

    return _passage(text, found, len(starts), words, lambda start, end: span)


class _Words(NamedTuple):
    """A text's words (`written`, lowercased) and where each begins in `source`: the
    text lowercased when that keeps its length (one character for one, as PostgreSQL
    lowers before it parses), else the text as written ("İ" lowers to two).

    Splitting with the regex (_PIECES) was a snippet's largest cost, so the words are
    first split quickly (`spaced`: the source with a space for each separator it knows,
    then str.split). That split is the regex's exactly when every word it gives is
    letters and digits alone; otherwise (a separator it does not know: "©", "€") the
    regex splits it (`pieces`). ASCII text, most text, needs neither the typographic
    marks nor the check."""

    source: str
    written: list[str]
    spaced: str | None = None
    pieces: list[str] | None = None

    @classmethod
    def of(cls, text: str) -> _Words:
        lowered = text.lower()
        if lowered.isascii():
            # str.isascii reads a flag, it does not scan: after the translation only
            # letters and digits are left between the spaces, each a word's.
            spaced = lowered.encode().translate(_ASCII_SEPARATORS).decode()
            return cls(lowered, spaced.split(), spaced=spaced)
        if len(lowered) != len(text):
            pieces = _PIECES.split(text)
            # Each word lowered: \x00 is no word's character.
            written = "\x00".join(pieces[1::2]).lower().split("\x00")
            return cls(text, written, pieces=pieces)
        spaced = lowered
        for mark in _TYPOGRAPHIC:
            if mark in spaced:
                spaced = spaced.replace(mark, " ")
        spaced = spaced.encode().translate(_ASCII_SEPARATORS).decode()
        written = spaced.split()
        if "".join(written).isalnum():  # str.isalnum is the regex's [^\W_], per letter
            return cls(lowered, written, spaced=spaced)
        pieces = _PIECES.split(lowered)
        return cls(lowered, pieces[1::2], pieces=pieces)

    def offset(self, index: int) -> int:
        """Where word `index` begins in the source."""
        if self.pieces is not None:
            return sum(map(len, self.pieces[: 2 * index + 1]))
        rest = self.spaced.split(None, index)[-1] if index else self.spaced.lstrip()
        return len(self.spaced) - len(rest)

    def span_of(self, start: int, end: int):
        """Where word n, from `start` to `end` (not included), begins and ends: a
        function of n."""
        spans = self.spans(start, end)
        return lambda number: spans[number - start]

    def spans(self, start: int, end: int) -> list[tuple[int, int]]:
        """Where words `start` to `end` (not included) begin and end in the source."""
        place = self.offset(start)
        spans = []
        if self.pieces is not None:
            for index in range(start, end):
                finish = place + len(self.pieces[2 * index + 1])
                spans.append((place, finish))
                place = finish + len(self.pieces[2 * index + 2])
            return spans
        # Between one word and the next there is only space: the next word is the first
        # place its text is found after the one before (cheaper than splitting again).
        find = self.spaced.find
        for word in self.written[start:end]:
            place = find(word, place)
            spans.append((place, place + len(word)))
            place += len(word)
        return spans


def _passage(text: str, found: list[int], count: int, words: int, span_of) -> str:
    """The passage of `words` of the text's `count` words holding the most of those
    `found` (their numbers, in order), marked; `span_of(start, end)` gives a function
    that tells where word n (from `start` to `end`, not included) begins and ends."""
    if not count:
        return ""
    start = 0
    if found:
        # The window of `words` words holding the most words found, the first such.
        most, first, last, behind = 0, found[0], found[0], 0
        for ahead, index in enumerate(found):
            while index - found[behind] >= words:
                behind += 1
            if ahead - behind + 1 > most:
                most, first, last = ahead - behind + 1, found[behind], index
        centred = first - (words - (last - first + 1)) // 2
        start = max(0, min(centred, count - words))
    end = min(count, start + words)
    span = span_of(start, end)
    # The passage of `text` with the words found marked, then escaped (the markers are
    # control characters, which escaping leaves as they are).
    parts: list[str] = []
    shown = span(start)[0]
    for index in found:
        if start <= index < end:
            begin, finish = span(index)
            parts += [text[shown:begin], START, text[begin:finish], STOP]
            shown = finish
    parts.append(text[shown : _TRAILING.match(text, span(end - 1)[1]).end()])
    return escape("".join(parts), quote=False)
