"""The comments' search index: each comment's words (the author's name and the body),
kept by the database itself on every write (docs/moderation.md, "Comment search").

Comments are written by many paths: the API's services, `bulk_create` in the WordPress
import (comments.threads.comments_import), `QuerySet.update()` in an edit and in a
privacy erasure, bench seeders writing rows directly. Triggers on comments_comment see
them all, in the writing transaction, so the index cannot fall behind:

- **PostgreSQL**: a table `comments_search` (`rowid` = the comment's id, `document` = a
  weighted tsvector: the name A, the body C; a GIN index), written by one trigger
  function on insert, on an update that changes the name or the body, on delete and on
  TRUNCATE. The trigger names no column (a trigger that does, in `UPDATE OF` or `WHEN`,
  makes PostgreSQL refuse any later change of that column's type); the function checks.
  No foreign key either: Django's flush truncates comments_comment alone.
- **SQLite**: an FTS5 table `comments_search` with external content (it indexes
  comments_comment's `author_name` and `body` without a copy of the text), kept by
  three triggers, as SQLite's documentation shows.

The language (settings.SEARCH_CONFIG) is part of the index: `migrate` remakes it when the
setting changed, and when a trigger is missing (SQLite drops a table's triggers when a
migration remakes the table), in `after_migrate`. `rebuild()` remakes it from the
comments (`manage.py rebuild_search_index --comments`; bench/seed.py after its COPY,
which runs with triggers off).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from articles.search import SearchTable
from articles.search_index import COLUMN_BREAK_SQL, escaped_sql, sqlite_tokenizer
from comments.models import Comment

TABLE = "comments_search"
COMMENTS = Comment._meta.db_table
# bm25's weight per FTS5 column (author_name, body), in the proportions of ts_rank's
# weights for A and C (1.0, 0.2): a word in the author's name counts as an article's
# title does against its body.
COMMENT_DOCUMENTS = SearchTable(TABLE, bm25_weights=(5.0, 1.0))
# SQLite's triggers and PostgreSQL's: what after_migrate looks for.
SQLITE_TRIGGERS = (f"{TABLE}_insert", f"{TABLE}_delete", f"{TABLE}_update")
POSTGRESQL_TRIGGERS = (f"{TABLE}_sync", f"{TABLE}_truncate")
FUNCTION = f"{TABLE}_sync"


# --- PostgreSQL --------------------------------------------------------------------------


def postgresql_document_sql(config: str, *, name: str, body: str) -> str:
    """A comment's tsvector from the SQL of its name and body: HTML-escaped first (as
    for articles: PostgreSQL's parser reads `<...>` as a tag), the name weighted A, the
    body C, 100 positions apart so that no phrase spans both."""
    language = f"'{config}'::regconfig"  # checked by settings: letters, digits, _ and .
    return (
        f"setweight(to_tsvector({language}, {escaped_sql(name)}), 'A') || "
        f"{COLUMN_BREAK_SQL} || setweight(to_tsvector({language}, {escaped_sql(body)}), 'C')"
    )


def postgresql_sync_sql(config: str) -> list[str]:
    """The trigger function (replaced) and its two triggers (made again)."""
    document = postgresql_document_sql(config, name="NEW.author_name", body="NEW.body")
    return [
        f"""CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE {TABLE};
  ELSIF TG_OP = 'DELETE' THEN
    DELETE FROM {TABLE} WHERE rowid = OLD.id;
  ELSIF TG_OP = 'INSERT' OR OLD.author_name IS DISTINCT FROM NEW.author_name
      OR OLD.body IS DISTINCT FROM NEW.body THEN
    INSERT INTO {TABLE} (rowid, document) VALUES (NEW.id, {document})
    ON CONFLICT (rowid) DO UPDATE SET document = EXCLUDED.document;
  END IF;
  RETURN NULL;
END $$""",  # noqa: S608 - our own table names, here and below
        f"DROP TRIGGER IF EXISTS {TABLE}_sync ON {COMMENTS}",
        f"DROP TRIGGER IF EXISTS {TABLE}_truncate ON {COMMENTS}",
        f"CREATE TRIGGER {TABLE}_sync AFTER INSERT OR UPDATE OR DELETE ON {COMMENTS} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
        f"CREATE TRIGGER {TABLE}_truncate AFTER TRUNCATE ON {COMMENTS} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
    ]


# Without GIN's pending list, as the articles' index (articles/search_index.py says why).
POSTGRESQL_GIN_SQL = (
    f"CREATE INDEX {TABLE}_document ON {TABLE} USING gin (document) WITH (fastupdate = off)"
)


def _postgresql_rebuild(cursor, config: str) -> None:
    # Filled without its GIN index, then indexed once: quicker than a million insertions.
    cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    cursor.execute(f"CREATE TABLE {TABLE} (rowid bigint PRIMARY KEY, document tsvector NOT NULL)")
    cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN document SET STORAGE MAIN")
    for statement in postgresql_sync_sql(config):
        cursor.execute(statement)
    document = postgresql_document_sql(config, name="author_name", body="body")
    cursor.execute(f"INSERT INTO {TABLE} (rowid, document) SELECT id, {document} FROM {COMMENTS}")  # noqa: S608
    cursor.execute(POSTGRESQL_GIN_SQL)
    cursor.execute(f"ANALYZE {TABLE}")


# --- SQLite ------------------------------------------------------------------------------


def sqlite_table_sql(config: str) -> str:
    return (
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5(author_name, body, content='{COMMENTS}', "
        f"content_rowid='id', tokenize = '{sqlite_tokenizer(config)}')"
    )


def _sqlite_removed(row: str) -> str:
    # FTS5's external content: a row leaves the index with the words it was indexed by.
    return (
        f"INSERT INTO {TABLE} ({TABLE}, rowid, author_name, body) "  # noqa: S608
        f"VALUES ('delete', {row}.id, {row}.author_name, {row}.body);"
    )


_SQLITE_ADDED = (
    f"INSERT INTO {TABLE} (rowid, author_name, body) VALUES (new.id, new.author_name, new.body);"  # noqa: S608
)

SQLITE_TRIGGERS_SQL = [
    f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON {COMMENTS} BEGIN {_SQLITE_ADDED} END",
    f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON {COMMENTS} BEGIN {_sqlite_removed('old')} END",
    f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF author_name, body ON {COMMENTS} "
    "WHEN old.author_name IS NOT new.author_name OR old.body IS NOT new.body "
    f"BEGIN {_sqlite_removed('old')} {_SQLITE_ADDED} END",
]


def _sqlite_rebuild(cursor, config: str) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    cursor.execute(sqlite_table_sql(config))
    for name in SQLITE_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in SQLITE_TRIGGERS_SQL:
        cursor.execute(statement)
    cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('rebuild')")  # noqa: S608


# --- both --------------------------------------------------------------------------------


def rebuild(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """The index made again from the comments, in the language SEARCH_CONFIG names, with
    its triggers. Returns how many comments it holds."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _postgresql_rebuild(cursor, settings.SEARCH_CONFIG)
        else:
            _sqlite_rebuild(cursor, settings.SEARCH_CONFIG)
    return Comment.objects.using(using).count()


def _is_current(connection, config: str) -> bool:
    """Whether the index is in this language and every trigger is in place."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [TABLE])
            tokenizer = f"tokenize = '{sqlite_tokenizer(config)}'" in cursor.fetchone()[0]
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                "AND name IN (%s, %s, %s)",
                [COMMENTS, *SQLITE_TRIGGERS],
            )
            return tokenizer and cursor.fetchone()[0] == len(SQLITE_TRIGGERS)
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname IN (%s, %s)",
            [COMMENTS, *POSTGRESQL_TRIGGERS],
        )
        if cursor.fetchone()[0] != len(POSTGRESQL_TRIGGERS):
            return False
        cursor.execute("SELECT prosrc FROM pg_proc WHERE oid = to_regproc(%s)", [FUNCTION])
        found = re.search(r"'([^']+)'::regconfig", cursor.fetchone()[0])
        cursor.execute("SELECT %s::regconfig = %s::regconfig", [found[1], config])
        return cursor.fetchone()[0]


@receiver(post_migrate, dispatch_uid="comments.search_index.after_migrate")
def after_migrate(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """A post_migrate receiver: the index remade when SEARCH_CONFIG changed or a trigger
    went missing; on PostgreSQL, a document for every comment that has none (written
    with triggers off)."""
    if sender is not None and getattr(sender, "label", None) != "comments":
        return  # once per migrate, with the comments app's signal
    connection = connections[using]
    if TABLE not in connection.introspection.table_names():
        return  # migrated back before the index
    if not _is_current(connection, settings.SEARCH_CONFIG):
        rebuild(using=using)
    elif connection.vendor == "postgresql":
        document = postgresql_document_sql(
            settings.SEARCH_CONFIG, name="c.author_name", body="c.body"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (rowid, document) SELECT c.id, {document} "  # noqa: S608
                f"FROM {COMMENTS} c WHERE NOT EXISTS (SELECT 1 FROM {TABLE} s WHERE s.rowid = c.id)"
            )
