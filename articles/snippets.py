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
from functools import lru_cache
from html import escape
from itertools import islice

import Stemmer

from articles.search_syntax import SearchQuery

# Private markers around each word found: control characters, which the index never
# holds (search_index.plain_text takes them out of every text).
START, STOP = "\x02", "\x03"
# Words as PostgreSQL's parser finds them, near enough: runs of letters and digits
# ("Leica's" is "leica" and "s", "state-of-the-art" its four words).
_WORD = re.compile(r"[^\W_]+")
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


def snippet(text: str, stems: frozenset[str], stemmer, *, words: int) -> str:
    """The passage of `words` words of `text` holding the most words found (centred on
    them), or its beginning when none is found; HTML-escaped, each word found between
    START and STOP."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter lowered to two: find the words as written
        lowered = text
    stemmed = stemmer.stemWords(_WORD.findall(lowered))
    if not stemmed:
        return ""
    found = [index for index, stem in enumerate(stemmed) if stem in stems]
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
        start = max(0, min(centred, len(stemmed) - words))
    end = min(len(stemmed), start + words)
    spans = [match.span() for match in islice(_WORD.finditer(lowered), start, end)]
    # The passage, escaped, with the words found marked: the spans of `lowered` are
    # those of `text` (same length, so one character for one).
    parts: list[str] = []
    position = spans[0][0]
    for index in (index for index in found if start <= index < end):
        begin, finish = spans[index - start]
        parts += [escape(text[position:begin], quote=False), START]
        parts += [escape(text[begin:finish], quote=False), STOP]
        position = finish
    tail = _TRAILING.match(text, spans[-1][1]).end()
    parts.append(escape(text[position:tail], quote=False))
    return "".join(parts)
