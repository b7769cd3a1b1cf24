"""A reader's search page by relevance on PostgreSQL, once its count is known: one
statement ranks the window and reads the page's rows (docs/search.md, "Cost").

Read through `search.ranked`, the whole window (500 articles) was joined to its
categories, authors and images and sorted with its rows. Here the statement's inner
part finds the window carrying each match's tsvector, ranks those documents alone and
keeps the page's ids; the outer part reads those rows alone, joined, and orders them
by the same key. A search alone (the search box) runs it compiled once per page and
columns (plumbing/compiled.py): building it through the ORM cost the app more than
PostgreSQL spent running it.

(SQLite's bm25() ranks only in the statement that MATCHes: there `search.ranked` is
read as it is; see `pages_by_rank`.)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections, router
from django.db.models import (
    BooleanField,
    Expression,
    F,
    FloatField,
    QuerySet,
    Subquery,
    TextField,
)

from articles import search, snippets
from articles.models import NEWEST_FIRST, Article
from articles.search_index import snippet_stemmer
from plumbing.compiled import CompiledQueries, Param


def pages_by_rank(queryset: QuerySet[Article], window: int) -> bool:
    """Whether `ranked_page` reads a search's page of this queryset."""
    return window > 0 and connections[queryset.db].vendor == "postgresql"


def ranked_page(
    *,
    queryset: QuerySet[Article],
    text: str,
    window: int,
    offset: int,
    limit: int,
    columns: tuple[str, ...],
) -> list[dict]:
    """PostgreSQL, with a window: one page of `search.ranked(...)` ordered by relevance
    (then newest first), as rows of `columns` (`search_snippet` among them or not)."""
    if not pages_by_rank(queryset, window):
        raise NotSupportedError("A page by rank needs PostgreSQL and a window.")
    query = search.parse(text)
    if query.is_empty or limit <= 0:
        return []
    newest = (
        search.newest_first(queryset, query)
        .filter(search_document__isnull=False)  # the join Document reads (reused)
        .annotate(document=search.Document(query))
        .values("pk", "published_at", "document")[:window]
    )
    page = _page_rows(
        queryset, query, Subquery(newest), offset=offset, limit=limit, columns=columns
    )
    return with_snippets(list(page), query, queryset.db)


# The compiled pages' parameters: the moment asked about, and the search's texts.
_NOW, _TEXT = Param(Article._meta.get_field("published_at")), Param(TextField())

# A search alone's pages, compiled (plumbing/compiled.py): by page, columns, window,
# whether a phrase is asked for (the statement's shape) and the language.
_VISIBLE_PAGES = CompiledQueries()


def visible_ranked_page(
    *, now, text: str, window: int, offset: int, limit: int, columns: tuple[str, ...]
) -> list[dict]:
    """`ranked_page` of the articles visible at `now` and nothing else filtered (a
    search alone), through SQL compiled once: the search's text is a parameter."""
    query = search.parse(text)
    if query.is_empty or limit <= 0:
        return []
    phrased = search.is_phrased(query)
    key = (offset, limit, columns, window, phrased, settings.SEARCH_CONFIG)
    compiled = _VISIBLE_PAGES.get(
        key,
        lambda now, websearch, any_term: _page_rows(
            Article.objects.visible(now),
            _Websearch(websearch, any_term),
            search.PublicWindow(
                _Websearch(websearch, any_term), now=now, size=window, phrased=phrased
            ),
            offset=offset,
            limit=limit,
            columns=columns,
        ),
        now=_NOW,
        websearch=_TEXT,
        any_term=_TEXT,
    )
    rows = compiled(
        now=now, websearch=query.as_websearch(), any_term=query.any_term().as_websearch()
    )
    return with_snippets(rows, query, router.db_for_read(Article) or DEFAULT_DB_ALIAS)


@dataclass(frozen=True)
class _Websearch:
    """A search as its SQL reads it (search.tsquery_sql): its text in
    websearch_to_tsquery's syntax, and its any_term()'s, which a compiled statement
    takes as parameters."""

    text: str
    any_term_text: str

    def as_websearch(self) -> str:
        return self.text

    def any_term(self) -> _Websearch:
        # As SearchQuery.any_term's: any term of one term alone is that term.
        return _Websearch(self.any_term_text, self.any_term_text)


def _page_rows(queryset, query, window: Expression, *, offset, limit, columns) -> QuerySet:
    """The statement: the page's rows of `columns`, best first, from the `window` (its
    rows: pk, published_at, document); `search_snippet`, where Python makes it, is the
    body's word index and text (with_snippets). The page's rows read their rank and
    snippet's source as subqueries by key: as one more join, the documents made the
    statement's planning 0.4-0.7 ms longer (docs/search.md)."""
    page = queryset.filter(_InRankedPage(window, query, offset=offset, limit=limit)).annotate(
        search_rank=_OfArticle(
            _of_document(lambda alias: search.ARTICLE_DOCUMENTS.postgresql_rank(alias, query)),
            FloatField(),
        )
    )
    if "search_snippet" in columns:
        page = page.annotate(
            search_snippet=_OfArticle(
                lambda article, connection: search.postgresql_article_snippet(
                    article, query, connection
                ),
                TextField(),
            )
        )
    # The inner order, again for the page's rows alone: the same key gives the same order.
    return page.order_by("-search_rank", *NEWEST_FIRST).values(*columns)


class _OfArticle(Expression):
    """SQL about the row's article, `sql_of(article, connection)`, given the SQL of its
    id (a column: no parameters)."""

    def __init__(self, sql_of, output_field) -> None:
        super().__init__(output_field=output_field)
        self.sql_of, self.article = sql_of, F("pk")

    def get_source_expressions(self):
        return [self.article]

    def set_source_expressions(self, exprs) -> None:
        (self.article,) = exprs

    def as_postgresql(self, compiler, connection):
        article, article_params = compiler.compile(self.article)
        if article_params:
            raise NotSupportedError("The article's id is a column.")
        return self.sql_of(article, connection)

    def as_sql(self, compiler, connection):
        raise NotSupportedError("A page by rank needs PostgreSQL.")


def _of_document(sql_of):
    """`_OfArticle`'s sql_of for a value of the article's search document, `sql_of("d")`,
    read as a subquery of it (search.of_document)."""

    def of_article(article: str, connection) -> tuple[str, list]:
        value, params = sql_of("d")
        return search.of_document(article, value), params

    return of_article


class _InRankedPage(Expression):
    """The article is one of the page's: `id = ANY(ARRAY(SELECT w.pk FROM (window) w
    ORDER BY rank ... LIMIT .. OFFSET ..))`, the ids of one page of the window (its
    rows: pk, published_at, document) ranked; the window's order breaks ties
    (NEWEST_FIRST), as in `search.ranked`'s order. As an array the ranking is planned
    apart from the rows' joins (planning it as an IN, a join, took 0.6 ms more)."""

    output_field = BooleanField()

    def __init__(self, window: Expression, query, *, offset: int, limit: int) -> None:
        super().__init__()
        self.article, self.window, self.query = F("pk"), window, query
        self.offset, self.limit = int(offset), int(limit)

    def get_source_expressions(self):
        return [self.article, self.window]

    def set_source_expressions(self, exprs) -> None:
        self.article, self.window = exprs

    def as_postgresql(self, compiler, connection):
        article, params = compiler.compile(self.article)
        window, window_params = compiler.compile(self.window)
        rank, rank_params = search.ARTICLE_DOCUMENTS.postgresql_rank("w", self.query)
        sql = (
            f"{article} = ANY(ARRAY(SELECT w.pk FROM {window} w ORDER BY {rank} DESC, "  # noqa: S608
            f"w.published_at DESC, w.pk DESC LIMIT {self.limit} OFFSET {self.offset}))"
        )
        return sql, [*params, *window_params, *rank_params]

    def as_sql(self, compiler, connection):
        raise NotSupportedError("A page by rank needs PostgreSQL.")


def with_snippets(rows: list[dict], query, using: str) -> list[dict]:
    """The rows, their `search_snippet` made from the body where Python makes it."""
    stemmer = snippet_stemmer(connections[using])
    if stemmer is None or not rows or "search_snippet" not in rows[0]:
        return rows
    shown = [row for row in rows if row["search_snippet"] is not None]
    if not shown:
        return rows
    sources = [search.snippet_source(row["search_snippet"]) for row in shown]
    made = snippets.page_snippets(
        [body for _, body in sources],
        snippets.wanted_stems(query, stemmer),
        stemmer,
        words=search.SNIPPET_WORDS,
        indexes=[index for index, _ in sources],
    )
    for row, snippet in zip(shown, made, strict=True):
        row["search_snippet"] = snippet
    return rows
