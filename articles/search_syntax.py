"""What a reader types in a search box, read once and written for either database.

The syntax is PostgreSQL's `websearch_to_tsquery` (the one web search engines taught
everybody): words are all required, `"a phrase"` must appear as written, `-word` (or
`-"a phrase"`) must not appear, and `or` between two parts accepts either. Anything
else is text: there is no operator a reader can misuse, and no input is an error.

`parse_websearch` reads the text into groups of terms (the parts between `or`s);
`SearchQuery.as_websearch()` writes it back in PostgreSQL's syntax, normalized, and
`SearchQuery.as_fts5()` as an SQLite FTS5 query in which every term is a quoted string,
so nothing the reader typed is ever FTS5 syntax (`NEAR(`, `*`, `^`, `col:`, AND/OR/NOT).
Both databases search for the same thing because both read this one parse. A part of an
`or` with nothing but exclusions in it is dropped (an exclusion alone would mean "every
article without this word": a scan of the whole table, and never what a reader meant).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A term is searchable when it holds a letter or digit (what both databases' parsers
# keep as a word); `*`, `-` or `(` alone hold none and are dropped.
_WORD_CHARACTER = re.compile(r"[^\W_]")
# Words, quotes and the spaces between them: a chunk is a run of anything but both.
_CHUNKS = re.compile(r'"[^"]*"?|[^\s"]+')
# PostgreSQL's English stop words (its tsearch_data/english.stop, Snowball's list):
# words too common to find anything by. PostgreSQL drops them from queries itself; the
# same list is dropped from every query in English, so that SQLite, whose FTS5 keeps
# every word, finds what PostgreSQL finds (and does not rank every article for "the").
_ENGLISH_STOP_LIST = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his
himself she her hers herself it its itself they them their theirs themselves what
which who whom this that these those am is are was were be been being have has had
having do does did doing a an the and but if or because as until while of at by for
with about against between into through during before after above below to from up
down in out on off over under again further then once here there when where why how
all any both each few more most other some such no nor not only own same so than
too very s t can will just don should now
"""
ENGLISH_STOP_WORDS = frozenset(_ENGLISH_STOP_LIST.split())


def stop_words(config: str) -> frozenset[str]:
    """The stop words of a search language (settings.SEARCH_CONFIG): English's, or none
    (PostgreSQL applies its own for other languages; SQLite keeps every word)."""
    return ENGLISH_STOP_WORDS if config.split(".")[-1] == "english" else frozenset()


# Bounds the work a single query can ask of the database (the parameter is 200
# characters at most, so this is rarely reached).
MAX_TERMS = 32


@dataclass(frozen=True)
class Term:
    text: str  # a word, or the words of a phrase; never holds a double quote
    phrase: bool = False
    excluded: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """Alternatives (`or`), each a group of terms all of which must hold."""

    groups: tuple[tuple[Term, ...], ...]

    @property
    def is_empty(self) -> bool:
        """Nothing to find: no word in the text, or only exclusions."""
        return not self.groups

    def as_websearch(self) -> str:
        """The query in websearch_to_tsquery's syntax, as this parse reads it."""
        return " or ".join(
            " ".join(_websearch_term(term) for term in group) for group in self.groups
        )

    def any_term(self) -> SearchQuery:
        """The query any one of this one's wanted terms satisfies (each alternative
        one term, none excluded): what a field holds "a match in" (the first field's
        bonus, articles/search.py)."""
        wanted = dict.fromkeys(term for group in self.groups for term in group if not term.excluded)
        return SearchQuery(groups=tuple((term,) for term in wanted))

    def as_fts5(self) -> str:
        """The query as an FTS5 expression: quoted strings joined by AND, OR and NOT,
        in parentheses (FTS5's NOT binds tighter than AND, AND tighter than OR)."""
        alternatives = []
        for group in self.groups:
            wanted = " AND ".join(_fts5_string(t.text) for t in group if not t.excluded)
            unwanted = "".join(f" NOT {_fts5_string(t.text)}" for t in group if t.excluded)
            alternatives.append(f"({wanted}){unwanted}" if unwanted else wanted)
        if len(alternatives) == 1:
            return alternatives[0]
        return " OR ".join(f"({alternative})" for alternative in alternatives)


def parse_websearch(text: str, *, ignored: frozenset[str] = frozenset()) -> SearchQuery:
    """Read a reader's search text (never fails: unknown syntax is plain text). Words in
    `ignored` (stop words) are dropped, outside phrases."""
    groups: list[list[Term]] = [[]]
    negate_next = False
    count = 0
    for chunk in _CHUNKS.findall(text):
        if count >= MAX_TERMS:
            break
        if chunk.startswith('"'):
            term = Term(chunk.strip('"'), phrase=True, excluded=negate_next)
        elif chunk.lower() == "or":
            if groups[-1]:  # `or` at the start or twice in a row means nothing
                groups.append([])
            negate_next = False
            continue
        elif chunk.strip("-") == "":
            negate_next = True  # a dash alone ("leica - panasonic") excludes what follows
            continue
        else:
            excluded = negate_next or chunk.startswith("-")
            term = Term(chunk.lstrip("-"), excluded=excluded)
        negate_next = False
        if not term.phrase and term.text.lower() in ignored:
            continue
        if _WORD_CHARACTER.search(term.text):
            groups[-1].append(term)
            count += 1
    # An alternative must ask for something: exclusions alone are dropped (above).
    kept = tuple(tuple(g) for g in groups if any(not term.excluded for term in g))
    return SearchQuery(groups=kept)


def _websearch_term(term: Term) -> str:
    text = f'"{term.text}"' if term.phrase else term.text
    return f"-{text}" if term.excluded else text


def _fts5_string(text: str) -> str:
    # An FTS5 string: the tokenizer splits it into words (a phrase when several), and
    # nothing inside it is syntax. A double quote inside is written twice.
    return '"' + " ".join(text.split()).replace('"', '""') + '"'
