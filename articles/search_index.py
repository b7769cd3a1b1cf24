"""The search index: what an article is found by, kept current in the transaction that
changes it (docs/search.md).

One row per article in `articles_search` (articles.models.ArticleSearchDocument): the
title, the excerpt, the body's text without markup and the names of its category and
tags (`terms`). PostgreSQL derives a weighted `tsvector` from them (a generated column
with a GIN index: title A, excerpt B, body C, terms B); SQLite holds them in an FTS5
table (Porter stemming for English). The rows are rewritten, from the database, by the
receivers below: an article saved, its tags changed from either side, a category or tag
renamed or a tag deleted, an article deleted, and `bulk_content_changed` (imports), which
compares every row and rewrites those that differ. The language (settings.SEARCH_CONFIG) is part of the index, which
`migrate` rebuilds when the setting changes (`after_migrate`).

Where Python makes the snippets (PostgreSQL, a language Snowball stems), each document
has its body's word index too, with a copy of the body's text (articles.models.
ArticleWordIndex, snippets.word_index), written with it; `migrate` gives one to every
document without it (`index_words`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from html.parser import HTMLParser

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_save,
    pre_delete,
    pre_save,
)
from django.dispatch import receiver

from articles.models import (
    PUBLIC_STATUSES,
    Article,
    ArticleSearchDocument,
    ArticleWordIndex,
    Category,
    Tag,
)
from articles.signals import bulk_content_changed
from articles.snippets import stemmer_for, word_index

TABLE = ArticleSearchDocument._meta.db_table
# A body's text beyond this many characters is not searched (PostgreSQL refuses a
# tsvector over 1 MB; no article comes near it).
BODY_TEXT_LIMIT = 200_000
# Articles written per statement when many are (a rename, an import).
BATCH_SIZE = 500


# --- the tables, per database --------------------------------------------------------


def sqlite_tokenizer(config: str) -> str:
    """FTS5's tokenizer for a language: Porter stemming is FTS5's only stemmer, and it
    is English's; any other language matches words as written (accents folded)."""
    base = "unicode61 remove_diacritics 2"
    return f"porter {base}" if config.split(".")[-1] == "english" else base


def escaped_sql(sql: str) -> str:
    """SQL that HTML-escapes the text `sql` gives. PostgreSQL's parser reads `<...>` in
    any text as a tag, and skips what follows a `<script>`: its functions are given the
    text escaped (an entity is not a word)."""
    return f"replace(replace(replace({sql}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"


# Between two columns' words in a document: a "lexeme" no query can hold (queries are
# split at spaces) 100 positions on, so that no phrase spans two columns (`||` would
# otherwise make the title's last word and the excerpt's first adjacent), as in FTS5.
COLUMN_BREAK_SQL = "'''column break'':100'::tsvector"


def postgresql_document_sql(config: str) -> str:
    """The generated `document` column's expression: each column's words, weighted."""
    language = f"'{config}'::regconfig"  # checked by settings: letters, digits, _ and .
    parts = [("title", "A"), ("excerpt", "B"), ("body", "C"), ("terms", "B")]
    return f" || {COLUMN_BREAK_SQL} || ".join(
        f"setweight(to_tsvector({language}, {escaped_sql(c)}), '{w}')" for c, w in parts
    )


# Without GIN's pending list (fastupdate): writes are few (an editor's save, an import)
# and reads many, and a pending list is read by every search until a vacuum merges it
# (the planner then prefers reading the whole table).
GIN_INDEX_SQL = (
    f"CREATE INDEX {TABLE}_document ON {TABLE} USING gin (document) WITH (fastupdate = off)"
)


def _index_is_for(*, connection, config: str) -> bool:
    """Whether the existing index was made for this language."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [TABLE])
            return f"tokenize = '{sqlite_tokenizer(config)}'" in cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
            "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
            "WHERE d.adrelid = %s::regclass AND a.attname = 'document'",
            [TABLE],
        )
        found = re.search(r"'([^']+)'::regconfig", cursor.fetchone()[0])
        cursor.execute("SELECT %s::regconfig = %s::regconfig", [found[1], config])
        return cursor.fetchone()[0]


# Each document's copy of its article's publication (PostgreSQL, migration 0014): when
# it is public (its status one of PUBLIC_STATUSES) and since when. A search alone walks
# the newest public documents by PUBLIC_RECENT_INDEX and tests each where it lies,
# without looking every article up (search_pages.visible_ranked_page). Triggers keep the
# copy, so no write path can miss it (an admin action's UPDATE, SQL by hand): a document
# written takes it from its article, an article's status or date changed gives it anew.
# (Reads still check each article's own visibility: the copy only chooses the window.)
PUBLIC_RECENT_INDEX = f"{TABLE}_public_recent"
_PUBLIC_SQL = "status IN ({})".format(", ".join(f"'{status}'" for status in PUBLIC_STATUSES))
PUBLICATION_SQL = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_publication() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT a.published_at, COALESCE(a.{_PUBLIC_SQL}, false) INTO NEW.published_at, NEW.public
  FROM articles_article a WHERE a.id = NEW.rowid;
  RETURN NEW;
END $$""",  # noqa: S608 - our own table names, here and below
    f"""CREATE OR REPLACE FUNCTION articles_article_publication() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE {TABLE} SET published_at = NEW.published_at, public = COALESCE(NEW.{_PUBLIC_SQL}, false)
  WHERE rowid = NEW.id;
  RETURN NULL;
END $$""",  # noqa: S608
    f"DROP TRIGGER IF EXISTS {TABLE}_publication ON {TABLE}",
    f"CREATE TRIGGER {TABLE}_publication BEFORE INSERT OR UPDATE OF rowid ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_publication()",
    "DROP TRIGGER IF EXISTS articles_article_publication ON articles_article",
    "CREATE TRIGGER articles_article_publication AFTER UPDATE OF status, published_at "
    "ON articles_article FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status "
    "OR OLD.published_at IS DISTINCT FROM NEW.published_at) "
    "EXECUTE FUNCTION articles_article_publication()",
]
PUBLIC_RECENT_INDEX_SQL = (
    f"CREATE INDEX {PUBLIC_RECENT_INDEX} ON {TABLE} (published_at DESC, rowid DESC) WHERE public"
)


def postgresql_table_sql(config: str) -> list[str]:
    """The statements that make PostgreSQL's search table for `config` (migration
    0014's table), empty, with the triggers that keep its copy of each article's
    publication. Its foreign key is checked at once, not deferred as Django's are:
    pending deferred checks would make ALTER TABLE refuse to run after a write. The row
    keeps the document uncompressed and the body's text out of line (0013 says why)."""
    return [
        f"CREATE TABLE {TABLE} (rowid bigint PRIMARY KEY REFERENCES articles_article (id) "
        "ON DELETE CASCADE, title text NOT NULL, excerpt text NOT NULL, body text NOT NULL, "
        "terms text NOT NULL, document tsvector GENERATED ALWAYS AS "
        f"({postgresql_document_sql(config)}) STORED, published_at timestamptz, "
        "public boolean NOT NULL DEFAULT false)",
        f"ALTER TABLE {TABLE} ALTER COLUMN body SET STORAGE EXTERNAL, "
        "ALTER COLUMN document SET STORAGE MAIN",
        *PUBLICATION_SQL,
    ]


def _recreate_index(*, connection, config: str) -> None:
    """The index made again for another language (the word indexes too: their stems
    are the language's; `after_migrate` makes them again)."""
    ArticleWordIndex.objects.using(connection.alias).all().delete()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A new table, filled from the old one's text in one pass (PostgreSQL
            # computes the documents): no dead copy of every row left behind.
            cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_before")
            cursor.execute(f"ALTER INDEX {TABLE}_pkey RENAME TO {TABLE}_before_pkey")
            cursor.execute(f"DROP INDEX {TABLE}_document")
            cursor.execute(f"DROP INDEX {PUBLIC_RECENT_INDEX}")
            for statement in postgresql_table_sql(config):
                cursor.execute(statement)
            cursor.execute(
                f"INSERT INTO {TABLE} (rowid, title, excerpt, body, terms) "  # noqa: S608
                f"SELECT rowid, title, excerpt, body, terms FROM {TABLE}_before"
            )
            cursor.execute(f"DROP TABLE {TABLE}_before")
            cursor.execute(GIN_INDEX_SQL)
            cursor.execute(PUBLIC_RECENT_INDEX_SQL)
            return
        cursor.execute(f"DROP TABLE {TABLE}")
        cursor.execute(
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5(title, excerpt, body, terms, "
            f"tokenize = '{sqlite_tokenizer(config)}')"
        )
    rebuild_search_documents(using=connection.alias)


def after_migrate(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """A post_migrate receiver: the index in the language SEARCH_CONFIG names (rebuilt
    when it changed), and a document for every article (those written before the index
    existed, or by SQL)."""
    connection = connections[using]
    if TABLE not in connection.introspection.table_names():
        return  # migrated back before the index
    with transaction.atomic(using=using):
        if not _index_is_for(connection=connection, config=settings.SEARCH_CONFIG):
            _recreate_index(connection=connection, config=settings.SEARCH_CONFIG)
        missing = Article.objects.using(using).filter(search_document__isnull=True)
        refresh_search_documents(article_ids=missing.values_list("pk", flat=True), using=using)
        index_words(using=using)


def snippet_stemmer(connection):
    """The stemmer with which Python makes this database's snippets (and their word
    indexes), or None: SQLite (FTS5's snippet()), or a language Snowball does not stem
    (PostgreSQL's ts_headline)."""
    if connection.vendor != "postgresql":
        return None
    return stemmer_for(settings.SEARCH_CONFIG)


def index_words(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """A word index for every document without one (where snippets are made in
    Python): those written before it existed, or since the language changed. Returns
    how many were made."""
    stemmer = snippet_stemmer(connections[using])
    if stemmer is None:
        return 0
    unindexed = ArticleSearchDocument.objects.using(using).filter(word_index__isnull=True)
    ids = list(unindexed.order_by("pk").values_list("pk", flat=True))
    made = 0
    for start in range(0, len(ids), BATCH_SIZE):
        bodies = unindexed.filter(pk__in=ids[start : start + BATCH_SIZE]).values_list("pk", "body")
        made += len(
            ArticleWordIndex.objects.using(using).bulk_create(
                _word_index(pk, body, stemmer) for pk, body in bodies
            )
        )
    return made


def _word_index(document_id: int, body: str, stemmer) -> ArticleWordIndex:
    """A document's word index, with the body's text it indexes (read with it)."""
    return ArticleWordIndex(document_id=document_id, words=word_index(body, stemmer), text=body)


# --- the documents ---------------------------------------------------------------------

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Elements whose edges are not word boundaries ("<em>L</em>eica" is one word); every
# other tag (paragraphs, list items, line breaks, cells) separates words.
_INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "ins"}
    | {"kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u"}
    | {"var"}
)


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in _INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag) -> None:
        if tag not in _INLINE:
            self.parts.append(" ")

    def handle_data(self, data) -> None:
        self.parts.append(data)


def plain_text(text: str) -> str:
    """Text on one line: control characters (the snippets' private markers among
    them) and runs of white space become one space."""
    return " ".join(_CONTROL_CHARACTERS.sub(" ", text).split())


def body_text(html: str) -> str:
    """The words a reader sees in a body: no tags, entities decoded, block elements
    apart (so "<p>cameras</p><p>lenses</p>" is two words)."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    return plain_text("".join(parser.parts))[:BODY_TEXT_LIMIT]


def refresh_search_documents(*, article_ids: Iterable[int], using: str = DEFAULT_DB_ALIAS) -> int:
    """Bring these articles' documents up to date from the database, writing only those
    that differ (an id that is no longer an article loses its document). Returns how
    many were written."""
    ids = sorted({int(pk) for pk in article_ids})
    return sum(
        _refresh(ids[start : start + BATCH_SIZE], using) for start in range(0, len(ids), BATCH_SIZE)
    )


def rebuild_search_documents(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Every article's document up to date (after a bulk write: what changed is not
    known), documents of articles deleted by SQL removed. Returns how many were written:
    an import that changed little writes little."""
    articles = Article.objects.using(using)
    documents = ArticleSearchDocument.objects.using(using)
    ArticleWordIndex.objects.using(using).exclude(document_id__in=articles.values("pk")).delete()
    documents.exclude(article_id__in=articles.values("pk")).delete()
    written = refresh_search_documents(
        article_ids=articles.values_list("pk", flat=True), using=using
    )
    index_words(using=using)
    return written


_COLUMNS = ("title", "excerpt", "body", "terms")


def _refresh(ids: list[int], using: str) -> int:
    documents = ArticleSearchDocument.objects.using(using)
    wanted = _documents_of(ids, using)
    stored = documents.filter(article_id__in=ids).values_list("article_id", *_COLUMNS)
    stored = {pk: tuple(columns) for pk, *columns in stored}
    stale = [pk for pk in ids if wanted.get(pk) != stored.get(pk)]
    if stale:
        stemmer = snippet_stemmer(connections[using])
        word_indexes = ArticleWordIndex.objects.using(using)
        if stemmer is not None:  # elsewhere there are none (_recreate_index)
            word_indexes.filter(document_id__in=stale).delete()
        documents.filter(article_id__in=stale).delete()
        written = [pk for pk in stale if pk in wanted]
        documents.bulk_create(
            ArticleSearchDocument(article_id=pk, **dict(zip(_COLUMNS, wanted[pk], strict=True)))
            for pk in written
        )
        if stemmer is not None:
            body = _COLUMNS.index("body")
            word_indexes.bulk_create(_word_index(pk, wanted[pk][body], stemmer) for pk in written)
    return len(stale)


def _documents_of(ids: list[int], using: str) -> dict[int, tuple[str, str, str, str]]:
    """{article id: (title, excerpt, body text, terms)}, as the documents hold them."""
    names = defaultdict(list)
    links = Article.tags.through.objects.using(using).filter(article_id__in=ids)
    for article_id, name in links.order_by("tag__name").values_list("article_id", "tag__name"):
        names[article_id].append(name)
    rows = Article.objects.using(using).filter(pk__in=ids)
    return {
        pk: (
            plain_text(title),
            plain_text(excerpt),
            body_text(body),
            plain_text(", ".join(name for name in (category, *names[pk]) if name)),
        )
        for pk, title, excerpt, body, category in rows.values_list(
            "pk", "title", "excerpt", "body", "category__name"
        )
    }


# --- what keeps them current -----------------------------------------------------------

_SEARCHED_FIELDS = ("title", "excerpt", "body", "category_id")


@receiver(post_save, sender=Article, dispatch_uid="articles.search_index.article_saved")
def article_saved(sender, instance: Article, using: str, **kwargs) -> None:
    # Recorded by Article.save(); absent for a raw save (loaddata): then written anyway.
    before = getattr(instance, "_public_state_before", None)
    if before and all(before[name] == getattr(instance, name) for name in _SEARCHED_FIELDS):
        return  # a status, a date or a moderation switch: the words are the same
    refresh_search_documents(article_ids=[instance.pk], using=using)


@receiver(post_delete, sender=Article, dispatch_uid="articles.search_index.article_deleted")
def article_deleted(sender, instance: Article, using: str, **kwargs) -> None:
    if snippet_stemmer(connections[using]) is not None:  # elsewhere there are none
        ArticleWordIndex.objects.using(using).filter(document_id=instance.pk).delete()
    ArticleSearchDocument.objects.using(using).filter(article_id=instance.pk).delete()


@receiver(
    m2m_changed, sender=Article.tags.through, dispatch_uid="articles.search_index.article_tags"
)
def article_tags_changed(sender, instance, action: str, reverse: bool, pk_set, using, **kwargs):
    if reverse and action == "pre_clear":  # tag.articles.clear(): say which, while we can
        instance._search_article_ids = list(instance.articles.values_list("pk", flat=True))
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        ids = [instance.pk] if pk_set or action == "post_clear" else []
    else:
        ids = getattr(instance, "_search_article_ids", []) if action == "post_clear" else pk_set
    refresh_search_documents(article_ids=ids or (), using=using)


@receiver(pre_save, sender=Category, dispatch_uid="articles.search_index.category_saving")
@receiver(pre_save, sender=Tag, dispatch_uid="articles.search_index.tag_saving")
def term_saving(sender, instance, using: str, **kwargs) -> None:
    stored = sender.objects.using(using).filter(pk=instance.pk).values_list("name", flat=True)
    instance._search_name_before = stored.first() if instance.pk else None


@receiver(post_save, sender=Category, dispatch_uid="articles.search_index.category_saved")
@receiver(post_save, sender=Tag, dispatch_uid="articles.search_index.tag_saved")
def term_saved(sender, instance, created: bool, using: str, **kwargs) -> None:
    if created or getattr(instance, "_search_name_before", None) == instance.name:
        return
    filed = {"category": instance} if sender is Category else {"tags": instance}
    ids = Article.objects.using(using).filter(**filed).values_list("pk", flat=True)
    refresh_search_documents(article_ids=ids, using=using)


@receiver(pre_delete, sender=Tag, dispatch_uid="articles.search_index.tag_deleting")
def tag_deleting(sender, instance: Tag, **kwargs) -> None:
    # Its links go with it, without m2m_changed: the articles are named now.
    instance._search_article_ids = list(instance.articles.values_list("pk", flat=True))


@receiver(post_delete, sender=Tag, dispatch_uid="articles.search_index.tag_deleted")
def tag_deleted(sender, instance: Tag, using: str, **kwargs) -> None:
    refresh_search_documents(article_ids=getattr(instance, "_search_article_ids", ()), using=using)


@receiver(bulk_content_changed, dispatch_uid="articles.search_index.bulk_content_changed")
def bulk_content_written(sender, **kwargs) -> int:
    # Which articles, categories or tags changed is not said: every document compared.
    return rebuild_search_documents()
