"""The comments' search index (comments/search_index.py, docs/moderation.md "Comment
search"), written in SQL: an FTS5 table with external content on SQLite, a table with a
GIN-indexed tsvector on PostgreSQL, both kept by triggers on comments_comment, and
filled from the comments there are. Also an index on the email's domain (what follows
the first "@"), for searches such as `@example.com`.

The SQL is written here as it was when this migration was made; later changes of
language are comments.search_index's (`after_migrate`)."""

from django.conf import settings
from django.db import NotSupportedError, migrations

TABLE = "comments_search"
COMMENTS = "comments_comment"
COLUMN_BREAK = "'''column break'':100'::tsvector"


def _escaped(sql):
    return f"replace(replace(replace({sql}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"


def _postgresql_document(config, name, body):
    language = f"'{config}'::regconfig"
    return (
        f"setweight(to_tsvector({language}, {_escaped(name)}), 'A') || {COLUMN_BREAK} || "
        f"setweight(to_tsvector({language}, {_escaped(body)}), 'C')"
    )


def _postgresql(execute, config):
    execute(f"CREATE TABLE {TABLE} (rowid bigint PRIMARY KEY, document tsvector NOT NULL)")
    execute(f"ALTER TABLE {TABLE} ALTER COLUMN document SET STORAGE MAIN")
    document = _postgresql_document(config, "NEW.author_name", "NEW.body")
    execute(
        f"""CREATE OR REPLACE FUNCTION {TABLE}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
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
END $$"""  # noqa: S608 - our own table and column names, here and below
    )
    execute(
        f"CREATE TRIGGER {TABLE}_sync AFTER INSERT OR UPDATE OR DELETE ON {COMMENTS} "
        f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_sync()"
    )
    execute(
        f"CREATE TRIGGER {TABLE}_truncate AFTER TRUNCATE ON {COMMENTS} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_sync()"
    )
    document = _postgresql_document(config, "author_name", "body")
    execute(f"INSERT INTO {TABLE} (rowid, document) SELECT id, {document} FROM {COMMENTS}")  # noqa: S608
    execute(
        f"CREATE INDEX {TABLE}_document ON {TABLE} USING gin (document) WITH (fastupdate = off)"
    )
    execute(
        f"CREATE INDEX comment_email_domain ON {COMMENTS} "
        "(substr(author_email, strpos(author_email, '@') + 1), submitted_at)"
    )


def _sqlite(execute, config):
    base = "unicode61 remove_diacritics 2"
    tokenizer = f"porter {base}" if config.split(".")[-1] == "english" else base
    execute(
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5(author_name, body, content='{COMMENTS}', "
        f"content_rowid='id', tokenize = '{tokenizer}')"
    )
    added = f"INSERT INTO {TABLE} (rowid, author_name, body) VALUES (new.id, new.author_name, new.body);"  # noqa: S608
    removed = (
        f"INSERT INTO {TABLE} ({TABLE}, rowid, author_name, body) "  # noqa: S608
        "VALUES ('delete', old.id, old.author_name, old.body);"
    )
    execute(f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON {COMMENTS} BEGIN {added} END")
    execute(f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON {COMMENTS} BEGIN {removed} END")
    execute(
        f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF author_name, body ON {COMMENTS} "
        "WHEN old.author_name IS NOT new.author_name OR old.body IS NOT new.body "
        f"BEGIN {removed} {added} END"
    )
    execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('rebuild')")  # noqa: S608
    execute(
        f"CREATE INDEX comment_email_domain ON {COMMENTS} "
        "(substr(author_email, instr(author_email, '@') + 1), submitted_at)"
    )


def create_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _postgresql(schema_editor.execute, settings.SEARCH_CONFIG)
    elif vendor == "sqlite":
        _sqlite(schema_editor.execute, settings.SEARCH_CONFIG)
    else:
        raise NotSupportedError("Comment search needs PostgreSQL or SQLite.")


def drop_search_index(apps, schema_editor):
    execute = schema_editor.execute
    execute("DROP INDEX comment_email_domain")
    if schema_editor.connection.vendor == "postgresql":
        execute(f"DROP TRIGGER {TABLE}_sync ON {COMMENTS}")
        execute(f"DROP TRIGGER {TABLE}_truncate ON {COMMENTS}")
        execute(f"DROP FUNCTION {TABLE}_sync()")
    else:
        for name in ("insert", "delete", "update"):
            execute(f"DROP TRIGGER {TABLE}_{name}")
    execute(f"DROP TABLE {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0009_held_notice"),
    ]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index),
    ]
