"""Searching articles: ranked full-text search over the index that
articles/search_index.py keeps (docs/search.md), on PostgreSQL and on SQLite.

A search joins each article to its document (articles_search) and asks the database's
own full-text engine: PostgreSQL `@@ websearch_to_tsquery` on the GIN-indexed tsvector,
ranked by `ts_rank` (weights A title, B excerpt and terms, C body), snippets by
`ts_headline`; SQLite FTS5 `MATCH`, ranked by `bm25` with the same proportions
(5, 2, 1, 2), snippets by `snippet()`. The reader's text is read once
(articles/search_syntax.py) and written in each database's syntax, so both find the
same articles.

The SQL that finds and ranks rows of a document table is `SearchTable`'s, and the text is
read by `parse`: the comments' staff search (comments/search.py) uses both on its own
table.

A reader's search considers the newest SEARCH_RANK_WINDOW articles it finds (its
window): it ranks, orders and counts those, so a word found in most articles costs about
what the window does, not what the table does. Each database finds the window the cheap
way for the words asked: from the index when they are rare, by walking the newest
articles when they are common (`_in_window`).

A snippet comes back as HTML-escaped text with two private markers around each match,
which `snippet_html` turns into `<mark>`s: nothing else in it is markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape, unescape

from django.conf import settings
from django.db import NotSupportedError, connections
from django.db.models import (
    BooleanField,
    Expression,
    F,
    FloatField,
    QuerySet,
    Subquery,
    TextField,
    Value,
)

from articles import snippets
from articles.models import NEWEST_FIRST, Article, ArticleSearchDocument, ArticleWordIndex
from articles.search_index import escaped_sql, snippet_stemmer
from articles.search_syntax import SearchQuery, parse_websearch, stop_words
from articles.snippets import START, STOP, wanted_stems

TABLE = ArticleSearchDocument._meta.db_table
WORDS_TABLE = ArticleWordIndex._meta.db_table
# bm25's weight per FTS5 column (title, excerpt, body, terms), in the proportions of
# ts_rank's default weights for A, B, C, B (1.0, 0.4, 0.2, 0.4).
BM25_WEIGHTS = (5.0, 2.0, 1.0, 2.0)
BODY_COLUMN = 2  # the body's position among FTS5's columns, for snippet()
SNIPPET_WORDS = 24
_HEADLINE_OPTIONS = (
    f'StartSel="{START}", StopSel="{STOP}", MaxFragments=1, '
    f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}"
)


def tsquery_sql(query: SearchQuery) -> tuple[str, list]:
    """PostgreSQL's tsquery for a parsed search, in the language SEARCH_CONFIG names."""
    return "websearch_to_tsquery(%s::regconfig, %s)", [
        settings.SEARCH_CONFIG,
        query.as_websearch(),
    ]


@dataclass(frozen=True)
class SearchTable:
    """A table of search documents, one row per searched row keyed by `rowid` (its id):
    on PostgreSQL a `document` tsvector with a GIN index, on SQLite an FTS5 table whose
    columns bm25 weighs with `bm25_weights`. The SQL that finds and ranks its rows, given
    the name or alias the table has in the statement. Articles have one
    (articles_search), comments another (comments/search_index.py)."""

    name: str
    bm25_weights: tuple[float, ...]

    def postgresql_match(self, alias: str, query: SearchQuery) -> tuple[str, list]:
        tsquery, params = tsquery_sql(query)
        return f"{alias}.document @@ {tsquery}", params

    def sqlite_match(self, alias: str, query: SearchQuery) -> tuple[str, list]:
        return f"{alias}.{self.name} MATCH %s", [query.as_fts5()]

    # A match in the first field (an article's title, a commenter's name) ranks above
    # any match elsewhere, as WordPress orders its search: bm25 divides by the whole
    # row's length, so a long article naming "Leica" in its title lost to a short one
    # naming it once in its body (the demo data did). A match of any term asked for:
    # ts_rank of an AND query with the first field's weight alone is 0 unless two of
    # its words are there, so PostgreSQL asks `query.any_term()` (bm25 counts each term).
    FIRST_FIELD_BONUS = 1000

    def postgresql_rank(self, alias: str, query: SearchQuery) -> tuple[str, list]:
        tsquery, params = tsquery_sql(query)
        any_term, any_params = tsquery_sql(query.any_term())
        first_field = f"ts_rank('{{0, 0, 0, 1}}', {alias}.document, {any_term}) > 0"
        rank = f"ts_rank({alias}.document, {tsquery})"
        bonus = f"CASE WHEN {first_field} THEN {self.FIRST_FIELD_BONUS} ELSE 0 END"
        return f"({rank} + {bonus})", [*params, *any_params]

    def sqlite_rank(self, alias: str) -> str:
        """bm25, negated (higher is better), and the first field's bonus; only in a
        statement that MATCHes the table."""
        table = f"{alias}.{self.name}"
        weights = ", ".join(str(weight) for weight in self.bm25_weights)
        first_only = ", ".join(["1"] + ["0"] * (len(self.bm25_weights) - 1))
        bonus = (
            f"CASE WHEN bm25({table}, {first_only}) < 0 THEN {self.FIRST_FIELD_BONUS} ELSE 0 END"
        )
        return f"(-bm25({table}, {weights}) + {bonus})"


ARTICLE_DOCUMENTS = SearchTable(TABLE, BM25_WEIGHTS)


class _OnDocument(Expression):
    """SQL over the article's search document, joined by the queryset, written for the
    database it runs on. The document's join is made (and its alias found) through one
    of its columns."""

    def __init__(self, query: SearchQuery, *, output_field) -> None:
        super().__init__(output_field=output_field)
        self.query = query
        self.document = F("search_document__title")

    def get_source_expressions(self):
        return [self.document]

    def set_source_expressions(self, exprs) -> None:
        (self.document,) = exprs

    def document_alias(self, compiler) -> str:
        return compiler.quote_name_unless_alias(self.document.alias)

    def as_sql(self, compiler, connection):
        raise NotSupportedError("Article search needs PostgreSQL or SQLite.")


class Matches(_OnDocument):
    """True for the articles the query finds."""

    def __init__(self, query: SearchQuery) -> None:
        super().__init__(query, output_field=BooleanField())

    def as_postgresql(self, compiler, connection):
        return ARTICLE_DOCUMENTS.postgresql_match(self.document_alias(compiler), self.query)

    def as_sqlite(self, compiler, connection):
        return ARTICLE_DOCUMENTS.sqlite_match(self.document_alias(compiler), self.query)


class Rank(_OnDocument):
    """How well an article matches: higher is better (bm25 is negated)."""

    def __init__(self, query: SearchQuery) -> None:
        super().__init__(query, output_field=FloatField())

    def as_postgresql(self, compiler, connection):
        return ARTICLE_DOCUMENTS.postgresql_rank(self.document_alias(compiler), self.query)

    def as_sqlite(self, compiler, connection):
        return ARTICLE_DOCUMENTS.sqlite_rank(self.document_alias(compiler)), []


class _SnippetText(TextField):
    """A snippet's column: on PostgreSQL, when Python makes the snippet (stemmer_for),
    the body is read and made into its snippet here, as each row is read."""

    def __init__(self, query: SearchQuery) -> None:
        super().__init__()
        self.query = query
        self._stems: tuple[object, frozenset[str]] | None = None  # (stemmer, its stems)

    def from_db_value(self, value, expression, connection):
        stemmer = snippet_stemmer(connection)
        if stemmer is None or value is None:
            return value
        # The query's stems, once for all the page's rows.
        if self._stems is None or self._stems[0] is not stemmer:
            self._stems = (stemmer, wanted_stems(self.query, stemmer))
        index, body = snippet_source(value)
        return snippets.snippet(body, self._stems[1], stemmer, words=SNIPPET_WORDS, index=index)


# Between a body's word index and its text in the column Python makes a snippet from:
# a control character, which neither holds (search_index.plain_text, snippets.word_index).
_INDEX_END = "\x01"


def snippet_source(value: str) -> tuple[str, str]:
    """(the body's word index, "" if it has none; the body) from postgresql_snippet's
    column, where Python makes the snippet."""
    index, _, body = value.partition(_INDEX_END)
    return index, body


class Snippet(_OnDocument):
    """The body's passage that matches best, HTML-escaped, matches between markers."""

    def __init__(self, query: SearchQuery) -> None:
        super().__init__(query, output_field=_SnippetText(query))

    def as_postgresql(self, compiler, connection):
        return postgresql_snippet(self.document_alias(compiler), self.query, connection)

    def as_sqlite(self, compiler, connection):
        alias = self.document_alias(compiler)
        sql = f"snippet({alias}.{TABLE}, {BODY_COLUMN}, %s, %s, %s, {SNIPPET_WORDS})"
        return escaped_sql(sql), [START, STOP, "…"]


def _indexed_text(rowid: str) -> str:
    """SQL: the word index and text of the document keyed `rowid`, as snippet_source
    reads them; NULL when it has none."""
    return f"(SELECT w.words || chr(1) || w.text FROM {WORDS_TABLE} w WHERE w.rowid = {rowid})"  # noqa: S608


def postgresql_snippet(alias: str, query: SearchQuery, connection) -> tuple[str, list]:
    """A snippet's SQL over the document `alias`: its body's word index and text, or
    its body where it has no index, where Python makes the snippet (_SnippetText,
    search_pages.with_snippets: see snippet_source), else ts_headline's."""
    if snippet_stemmer(connection) is not None:
        return f"COALESCE({_indexed_text(f'{alias}.rowid')}, chr(1) || {alias}.body)", []
    # Escaped before ts_headline, as for the document (search_index.escaped_sql).
    tsquery, params = tsquery_sql(query)
    sql = f"ts_headline(%s::regconfig, {escaped_sql(f'{alias}.body')}, {tsquery}, %s)"
    return sql, [settings.SEARCH_CONFIG, *params, _HEADLINE_OPTIONS]


def of_document(article: str, value: str) -> str:
    """SQL: `value`, an expression over the document `d`, of the document of the
    article whose id is `article`, looked up by key."""
    return f"(SELECT {value} FROM {TABLE} d WHERE d.rowid = {article})"  # noqa: S608


def postgresql_article_snippet(article: str, query: SearchQuery, connection) -> tuple[str, list]:
    """postgresql_snippet's SQL for the article whose id is `article` (a page's row,
    articles/search_pages.py), its document looked up by key: where Python makes the
    snippet, the word index and text in one lookup, the document's body only for a
    document without them (COALESCE reads its second value only then)."""
    if snippet_stemmer(connection) is not None:
        body = of_document(article, "chr(1) || d.body")
        return f"COALESCE({_indexed_text(article)}, {body})", []
    sql, params = postgresql_snippet("d", query, connection)
    return of_document(article, sql), params


def parse(text: str) -> SearchQuery:
    """A reader's search text, read in the syntax of articles/search_syntax.py, without
    the stop words of the language SEARCH_CONFIG names."""
    return parse_websearch(text, ignored=stop_words(settings.SEARCH_CONFIG))


def _matching(queryset: QuerySet[Article], query: SearchQuery) -> QuerySet[Article]:
    # The join on the document is an inner one (every article has its document), made
    # by the first filter and reused by the expressions.
    return queryset.filter(search_document__isnull=False).filter(Matches(query))


# --- the window (SEARCH_RANK_WINDOW) ---------------------------------------------------

# SQLite: a search whose matches in the whole index reach this many times the window
# walks the newest articles; fewer are read from the index and sorted (_in_window).
WALK_FROM = 2


class _InMatches(Expression):
    """The article is among the index's matches, read once into a list (SQLite) or a
    hashed set (PostgreSQL). SQLite: with `walk` the article's id is written `+id`,
    which SQLite cannot look up by: it walks the articles in the order asked (an index)
    and looks each up in the list, stopping at the window; otherwise it reads the
    articles of the list and sorts them. PostgreSQL: the matches are found first, from
    the GIN index, whatever the planner guesses of how common they are."""

    output_field = BooleanField()

    def __init__(self, query: SearchQuery, *, walk: bool) -> None:
        super().__init__()
        self.query, self.walk = query, walk
        self.article = F("pk")

    def get_source_expressions(self):
        return [self.article]

    def set_source_expressions(self, exprs) -> None:
        (self.article,) = exprs

    def as_sqlite(self, compiler, connection):
        column, params = compiler.compile(self.article)
        match, match_params = ARTICLE_DOCUMENTS.sqlite_match(TABLE, self.query)
        matches = f"SELECT rowid FROM {TABLE} WHERE {match}"  # noqa: S608
        return f"{'+' if self.walk else ''}{column} IN ({matches})", [*params, *match_params]

    def as_postgresql(self, compiler, connection):
        column, params = compiler.compile(self.article)
        match, match_params = ARTICLE_DOCUMENTS.postgresql_match(TABLE, self.query)
        # An array, read once before the articles (an IN would be planned as a join,
        # and walked article by article again).
        return f"{column} = ANY(ARRAY(SELECT rowid FROM {TABLE} WHERE {match}))", [  # noqa: S608
            *params,
            *match_params,
        ]

    def as_sql(self, compiler, connection):
        raise NotSupportedError("PostgreSQL or SQLite only.")


class _InWindow(_OnDocument):
    """The article is one of the window's (a subquery of ids), compared on its document's
    key. PostgreSQL reads the window once, as an array, and looks its articles up (as a
    join, planning the statement took twice as long). SQLite, for a `ranked` search,
    also MATCHes the document, which bm25() and snippet() need, and looks each match up
    in the window (`+rowid`): looking each id up in FTS5 is a query of the index per id."""

    def __init__(self, query: SearchQuery, window: Expression, *, ranked: bool) -> None:
        super().__init__(query, output_field=BooleanField())
        self.window, self.ranked = window, ranked

    def get_source_expressions(self):
        return [self.document, self.window]

    def set_source_expressions(self, exprs) -> None:
        self.document, self.window = exprs

    def as_postgresql(self, compiler, connection):
        window, params = compiler.compile(self.window)
        return f"{self.document_alias(compiler)}.rowid = ANY(ARRAY{window})", params

    def as_sqlite(self, compiler, connection):
        alias = self.document_alias(compiler)
        window, params = compiler.compile(self.window)
        if not self.ranked:
            return f"{alias}.rowid IN {window}", params
        match, match_params = ARTICLE_DOCUMENTS.sqlite_match(alias, self.query)
        return f"{match} AND +{alias}.rowid IN {window}", [*match_params, *params]


class PublicWindow(Expression):
    """A search alone's window: the newest `size` public documents the query finds,
    walked by the search table's own index of them (search_index.PUBLIC_RECENT_INDEX)
    and tested where they lie, or, for a phrase, read from the GIN index
    (is_phrased). Its rows are as the general window's: pk, published_at, document
    (search_pages), or its ids alone (`ids_only`: `_in_window`'s, for a count).
    The documents' copy of their article's publication is kept by triggers
    (search_index.PUBLICATION_SQL)."""

    output_field = BooleanField()  # unused: the expression is a derived table

    def __init__(self, query, *, now, size: int, phrased: bool, ids_only: bool = False) -> None:
        super().__init__()
        self.query, self.now, self.size, self.phrased = query, now, int(size), phrased
        self.ids_only = ids_only

    def as_postgresql(self, compiler, connection):
        published_at = Article._meta.get_field("published_at")
        now = published_at.get_db_prep_value(self.now, connection)
        match, params = ARTICLE_DOCUMENTS.postgresql_match("m" if self.phrased else "d", self.query)
        if self.phrased:
            match = f"d.rowid = ANY(ARRAY(SELECT m.rowid FROM {TABLE} m WHERE {match}))"  # noqa: S608
        columns = "d.rowid AS pk" if self.ids_only else "d.rowid AS pk, d.published_at, d.document"
        sql = (
            f"(SELECT {columns} FROM {TABLE} d "  # noqa: S608
            f"WHERE d.public AND d.published_at <= %s AND {match} "
            f"ORDER BY d.published_at DESC, d.rowid DESC LIMIT {self.size})"
        )
        return sql, [now, *params]

    def as_sql(self, compiler, connection):
        raise NotSupportedError("A search alone's window is PostgreSQL's.")


_FTS5_COUNT_UP_TO = (
    f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} "  # noqa: S608
    f"WHERE {TABLE} MATCH %s LIMIT %s)"
)


def _fts5_matches_up_to(query: SearchQuery, limit: int, using: str) -> int:
    """How many rows of the FTS5 index the query matches, counting no further than
    `limit`: SQLite knows nothing of how common a word is, so it is asked."""
    with connections[using].cursor() as cursor:
        cursor.execute(_FTS5_COUNT_UP_TO, [query.as_fts5(), limit])
        return cursor.fetchone()[0]


def is_phrased(query: SearchQuery) -> bool:
    """Every alternative asks for a phrase. PostgreSQL's statistics know words, not
    phrases: it takes `"climate report"` for as common as its words and walks the
    newest articles testing each for the phrase (all 93,000 for 117 matches, 2.6 times
    the search without a window); a phrase is read from the index instead."""
    return all(any(term.phrase and not term.excluded for term in group) for group in query.groups)


def newest_first(queryset: QuerySet[Article], query: SearchQuery) -> QuerySet[Article]:
    """PostgreSQL: the articles of `queryset` the query finds, newest first, for the
    window to be cut from (_in_window, search_pages.ranked_page)."""
    if is_phrased(query):
        found = queryset.filter(_InMatches(query, walk=False))
    else:
        found = _matching(queryset, query)
    return found.order_by(*NEWEST_FIRST)


def _in_window(
    queryset: QuerySet[Article],
    query: SearchQuery,
    window: int,
    *,
    ranked: bool,
    public_at: datetime | None = None,
) -> QuerySet[Article]:
    """The articles of `queryset` the query finds, the newest `window` of them. The
    newest are found as a subquery of ids, the cheap way for the words asked.
    PostgreSQL's planner knows from its statistics how common each word is: for a rare
    word it reads the matches from the GIN index and sorts them, for a common one it
    walks the newest articles (article_public_recent) and tests each document, stopping
    at the window; a phrase is read from the index (is_phrased). SQLite is asked first (_fts5_matches_up_to): fewer matches in the
    whole index than the window need no window at all; from WALK_FROM times the window
    it walks, in between it reads the matches and sorts them. `public_at` (PostgreSQL):
    the queryset is the articles visible then and nothing else, whose window is read
    from the documents alone (PublicWindow)."""
    if connections[queryset.db].vendor == "sqlite":
        found = _fts5_matches_up_to(query, WALK_FROM * window, queryset.db)
        if found < window:
            return _matching(queryset, query)
        newest = queryset.filter(_InMatches(query, walk=found >= WALK_FROM * window))
        newest = Subquery(newest.order_by(*NEWEST_FIRST).values("pk")[:window])
    elif public_at is not None:
        newest = PublicWindow(
            query, now=public_at, size=window, phrased=is_phrased(query), ids_only=True
        )
    else:
        newest = Subquery(newest_first(queryset, query).values("pk")[:window])
    in_window = _InWindow(query, newest, ranked=ranked)
    return queryset.filter(search_document__isnull=False).filter(in_window)


def matching(*, queryset: QuerySet[Article], text: str, window: int = 0) -> QuerySet[Article]:
    """The articles of `queryset` that the search text finds (no order, no annotation);
    with a `window`, only the newest `window` of them (0: all). Text with no word to
    find finds nothing. The window is of the articles the queryset lets through: filter
    it first."""
    query = parse(text)
    if query.is_empty:
        return queryset.none()
    if window <= 0:
        return _matching(queryset, query)
    return _in_window(queryset, query, window, ranked=False)


def ranked(
    *, queryset: QuerySet[Article], text: str, window: int = 0, public_at: datetime | None = None
) -> QuerySet[Article]:
    """`matching`, annotated with `search_rank` (higher is better) and
    `search_snippet` (see snippet_html). Neither is computed unless it is read or
    ordered by: a COUNT costs no rank, a page only its own snippets. `public_at`: the
    queryset is the articles visible then and nothing else filtered (a search alone),
    whose window PostgreSQL finds from the documents alone (PublicWindow)."""
    query = parse(text)
    if query.is_empty:
        return queryset.none().annotate(search_rank=Value(0.0), search_snippet=Value(""))
    if window <= 0:
        found = _matching(queryset, query)
    else:
        found = _in_window(queryset, query, window, ranked=True, public_at=public_at)
    return found.annotate(search_rank=Rank(query), search_snippet=Snippet(query))


class Document(_OnDocument):
    """PostgreSQL: the article's tsvector itself, carried out of the statement that
    found it to be ranked by the statement around it (articles/search_pages.py)."""

    def __init__(self, query: SearchQuery) -> None:
        super().__init__(query, output_field=TextField())

    def as_postgresql(self, compiler, connection):
        return f"{self.document_alias(compiler)}.document", []


def snippet_html(snippet: str) -> str:
    """A snippet as HTML: its text escaped, each match in `<mark>`. Decoded and escaped
    again here, so the result holds no markup but the marks whatever the database gave."""
    text = escape(unescape(snippet), quote=False)
    return text.replace(START, "<mark>").replace(STOP, "</mark>")
