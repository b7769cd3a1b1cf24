"""Searching comments, for the staff (the admin's comment queue, the moderation API's
`search`): full-text search over the index comments/search_index.py keeps, and the
commenter's address and IP (docs/moderation.md, "Comment search").

The text is read as the articles' search reads it (articles.search.parse: words in any
order and form, "phrases", -exclusions, `or`). Each term is then one of:

- a word or phrase: in the comment's words (the author's name and the body), through
  the index (PostgreSQL's tsvector and GIN index, SQLite's FTS5 table);
- an address, `ann@example.com`: the commenter's address, exactly (letter case aside);
- a domain after an "@", `@example.com`: the commenter's address is at that domain
  (subdomains not included), through an index on the address's domain;
- a word that is a domain name, `example.com`: the commenter's address is at that
  domain, or the comment's words name it (a link in the body);
- an IP address, `192.0.2.7` or `2001:db8::7`: the comment came from it, exactly.

Every condition reads an index: the words the search table, an address, a domain or an
IP an index of comments_comment. Ranking (`search_rank`) is the words' rank: ts_rank on
PostgreSQL, bm25 on SQLite (one FTS5 query for every match, materialized once per
statement and looked up by id).
"""

from __future__ import annotations

import ipaddress
from dataclasses import replace

from django.db import NotSupportedError
from django.db.models import BooleanField, Expression, F, FloatField, QuerySet

from articles.search import parse
from articles.search_syntax import SearchQuery, Term
from comments import search_index
from comments.matching import normalize_email, normalize_email_domain
from comments.models import Comment

TABLE = search_index.TABLE
COMMENTS = search_index.COMMENTS
DOCUMENTS = search_index.COMMENT_DOCUMENTS
# Best matches first, newest first among equals; newest first when nothing is ranked.
BEST_FIRST = ("-search_rank", "-submitted_at", "-id")
NEWEST_FIRST = ("-submitted_at", "-id")


def _domain_sql(vendor: str, column: str) -> str:
    """What follows the first "@" of an address: the expression comment_email_domain
    indexes (migration 0010), written as that index is."""
    position = "strpos" if vendor == "postgresql" else "instr"
    return f"substr({column}, {position}({column}, '@') + 1)"


def _words_found(vendor: str, query: SearchQuery) -> tuple[str, list]:
    """SELECT the ids of the comments whose words the query finds."""
    if vendor == "postgresql":
        match, params = DOCUMENTS.postgresql_match(TABLE, query)
    else:
        match, params = DOCUMENTS.sqlite_match(TABLE, query)
    return f"SELECT rowid FROM {TABLE} WHERE {match}", params  # noqa: S608


class _OnComment(Expression):
    """SQL about the comment row it is evaluated on. Its id comes through F, so that
    Django names the row's alias (in a subquery too)."""

    def __init__(self, query: SearchQuery, *, output_field) -> None:
        super().__init__(output_field=output_field)
        self.query = query
        self.comment_id = F("pk")

    def get_source_expressions(self):
        return [self.comment_id]

    def set_source_expressions(self, exprs) -> None:
        (self.comment_id,) = exprs

    def as_sql(self, compiler, connection):
        if connection.vendor not in ("postgresql", "sqlite"):
            raise NotSupportedError("Comment search needs PostgreSQL or SQLite.")
        return self.sql(compiler.compile(self.comment_id)[0], connection.vendor)

    def sql(self, comment_id: str, vendor: str) -> tuple[str, list]:
        raise NotImplementedError


class Found(_OnComment):
    """True for the comments the search finds: their ids are in one SELECT, made of
    the words' index and comments_comment's indexes (see _found)."""

    def __init__(self, query: SearchQuery) -> None:
        super().__init__(query, output_field=BooleanField())

    def sql(self, comment_id: str, vendor: str) -> tuple[str, list]:
        found, params = _found(vendor, self.query)
        return f"{comment_id} IN ({found})", params


class WordsRank(_OnComment):
    """How well the comment's words match (higher is better, 0 when they do not)."""

    def __init__(self, query: SearchQuery) -> None:
        super().__init__(query, output_field=FloatField())

    def sql(self, comment_id: str, vendor: str) -> tuple[str, list]:
        if vendor == "postgresql":
            rank, params = DOCUMENTS.postgresql_rank(TABLE, self.query)
            sql = f"SELECT {rank} FROM {TABLE} WHERE rowid = {comment_id}"  # noqa: S608
            return f"COALESCE(({sql}), 0)", params
        # bm25 needs its MATCH in the same SELECT: every match ranked once per statement
        # (a materialized CTE, searched by an automatic index), not once per comment.
        match, params = DOCUMENTS.sqlite_match(TABLE, self.query)
        ranked = (
            f"WITH ranked AS MATERIALIZED (SELECT rowid AS comment_id, "  # noqa: S608
            f"{DOCUMENTS.sqlite_rank(TABLE)} AS rank FROM {TABLE} WHERE {match}) "
            f"SELECT rank FROM ranked WHERE comment_id = {comment_id}"
        )
        return f"COALESCE(({ranked}), 0)", params


# --- the terms ---------------------------------------------------------------------------


def _ip(text: str) -> str | None:
    try:
        return Comment._meta.get_field("ip_address").get_prep_value(str(ipaddress.ip_address(text)))
    except ValueError:
        return None


def _domain_name(text: str) -> str | None:
    """The domain a word names (`example.com`), or None (`e.g.`, `3.14`)."""
    if "." not in text.strip("."):
        return None
    try:
        return normalize_email_domain(text)
    except ValueError:
        return None


# What a term says of the commenter: (kind, value), kind one of these.
ADDRESS, DOMAIN, IP, DOMAIN_NAME = "address", "domain", "ip", "domain name"


def _about_commenter(term: Term) -> tuple[str, str] | None:
    """What a term asks of the commenter (a DOMAIN_NAME also of the words); None for a
    word or phrase, which asks the words only."""
    text = term.text.strip()
    if term.phrase and " " in text or not text:
        return None
    if text.startswith("@"):
        return DOMAIN, text[1:].lower()
    if "@" in text:
        return ADDRESS, normalize_email(text)
    if (ip := _ip(text)) is not None:
        return IP, ip
    if (domain := _domain_name(text)) is not None:
        return DOMAIN_NAME, domain
    return None


def _asks_words(term: Term) -> bool:
    about = _about_commenter(term)
    return about is None or about[0] == DOMAIN_NAME


def _one_term(term: Term) -> SearchQuery:
    return SearchQuery(groups=((replace(term, excluded=False),),))


def _commenter_sql(vendor: str, term: Term) -> tuple[str, list]:
    """A condition on comments_comment's row (unqualified columns) for an address, a
    domain, an IP, or a domain name (its words too)."""
    kind, value = _about_commenter(term)
    if kind == ADDRESS:
        return "author_email = %s", [value]
    if kind == IP:
        return "ip_address = %s", [value]
    domain = f"{_domain_sql(vendor, 'author_email')} = %s"
    if kind == DOMAIN:
        return domain, [value]
    words, params = _words_found(vendor, _one_term(term))
    either = f"{words} UNION ALL SELECT id FROM {COMMENTS} WHERE {domain}"  # noqa: S608
    return f"id IN ({either})", [*params, value]


def _group_found(vendor: str, group: tuple[Term, ...]) -> tuple[str, list]:
    """SELECT the ids of the comments one alternative finds: every wanted term holds, no
    excluded one does. The group's words are one search of the index."""
    conditions: list[tuple[str, list]] = []
    words = [term for term in group if _about_commenter(term) is None]
    if any(not term.excluded for term in words):
        sql, params = _words_found(vendor, SearchQuery(groups=(tuple(words),)))
        conditions.append((f"id IN ({sql})", params))
    elif words:  # only exclusions among the words: none of them
        anyone = tuple(_one_term(term).groups[0] for term in words)
        sql, params = _words_found(vendor, SearchQuery(groups=anyone))
        conditions.append((f"id NOT IN ({sql})", params))
    for term in group:
        if _about_commenter(term) is None:
            continue
        sql, params = _commenter_sql(vendor, term)
        if term.excluded:  # NOT IN: a comment without an IP is not from this one
            sql = f"id NOT IN (SELECT id FROM {COMMENTS} WHERE {sql})"  # noqa: S608
        conditions.append((sql, params))
    where = " AND ".join(sql for sql, _ in conditions)
    params = [param for _, values in conditions for param in values]
    return f"SELECT id FROM {COMMENTS} WHERE {where}", params  # noqa: S608


def _found(vendor: str, query: SearchQuery) -> tuple[str, list]:
    """SELECT the ids of the comments the search finds: one search of the words' index
    when it asks words only, else each alternative's SELECT, UNION ALL."""
    if all(_about_commenter(term) is None for group in query.groups for term in group):
        return _words_found(vendor, query)
    found = [_group_found(vendor, group) for group in query.groups]
    return " UNION ALL ".join(sql for sql, _ in found), [p for _, ps in found for p in ps]


def _ranked_words(query: SearchQuery) -> SearchQuery:
    """The words of the search (domain names too), which rank what is found."""
    groups = []
    for group in query.groups:
        words = tuple(term for term in group if _asks_words(term))
        if any(not term.excluded for term in words):
            groups.append(words)
    return SearchQuery(groups=tuple(groups))


def search_comments(
    *, queryset: QuerySet[Comment], text: str, best_first: bool
) -> QuerySet[Comment]:
    """The comments of `queryset` that the search text finds (staff only: it reads
    addresses and IPs). With `best_first`, ordered best match first (the words' rank,
    then newest first; newest first when the search has no word); otherwise in the
    queryset's order. Text with nothing to find finds nothing."""
    query = parse(text)
    if query.is_empty:
        return queryset.none()
    found = queryset.filter(Found(query))
    if not best_first:
        return found
    words = _ranked_words(query)
    if words.is_empty:
        return found.order_by(*NEWEST_FIRST)
    return found.alias(search_rank=WordsRank(words)).order_by(*BEST_FIRST)
