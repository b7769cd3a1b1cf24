"""PostgreSQL's search table holds a copy of each article's publication (SQLite's FTS5
needs no change): `published_at`, and `public` (its status one of the public ones),
with an index of the public documents newest first, `articles_search_public_recent`.

A search alone (the search box) walked the newest public articles and looked each
one's document up, 609 lookups to find 500 articles with "climate" at 100,000 articles
(1.4 ms); walking the documents' own index and testing each where it lies took 0.6 ms
(docs/search.md, "The walk over the documents alone").

Triggers keep the copy, whatever writes: a document written takes it from its article,
and an article whose status or publication date changes gives it to its document. The
table is made again and filled from the old one in one pass, as in 0013: adding the
columns and updating every row would compute every document again and leave a dead copy
of each behind.
"""

from django.conf import settings
from django.db import migrations

TABLE = "articles_search"
PUBLIC = "status IN ('published', 'scheduled')"
COLUMN_BREAK = "'''column break'':100'::tsvector"

TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_publication() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT a.published_at, COALESCE(a.{PUBLIC}, false) INTO NEW.published_at, NEW.public
  FROM articles_article a WHERE a.id = NEW.rowid;
  RETURN NEW;
END $$""",  # noqa: S608 - our own table names
    f"""CREATE OR REPLACE FUNCTION articles_article_publication() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE {TABLE} SET published_at = NEW.published_at, public = COALESCE(NEW.{PUBLIC}, false)
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


def _document(config):
    language = f"'{config}'::regconfig"
    parts = [("title", "A"), ("excerpt", "B"), ("body", "C"), ("terms", "B")]
    return f" || {COLUMN_BREAK} || ".join(
        f"setweight(to_tsvector({language}, replace(replace(replace({c}, '&', '&amp;'), "
        f"'<', '&lt;'), '>', '&gt;')), '{w}')"
        for c, w in parts
    )


def _remake(schema_editor, *, publication):
    execute = schema_editor.execute
    if not publication:
        execute("DROP TRIGGER IF EXISTS articles_article_publication ON articles_article")
        execute("DROP FUNCTION IF EXISTS articles_article_publication()")
        execute(f"DROP INDEX {TABLE}_public_recent")
    execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_before")
    execute(f"ALTER INDEX {TABLE}_pkey RENAME TO {TABLE}_before_pkey")
    execute(f"DROP INDEX {TABLE}_document")
    copy = ", published_at timestamptz, public boolean NOT NULL DEFAULT false"
    execute(
        f"CREATE TABLE {TABLE} (rowid bigint PRIMARY KEY REFERENCES articles_article (id) "
        "ON DELETE CASCADE, title text NOT NULL, excerpt text NOT NULL, body text NOT NULL, "
        f"terms text NOT NULL, document tsvector GENERATED ALWAYS AS "
        f"({_document(settings.SEARCH_CONFIG)}) STORED{copy if publication else ''})"
    )
    execute(
        f"ALTER TABLE {TABLE} ALTER COLUMN body SET STORAGE EXTERNAL, "
        "ALTER COLUMN document SET STORAGE MAIN"
    )
    if publication:
        for statement in TRIGGERS:
            execute(statement)
    execute(
        f"INSERT INTO {TABLE} (rowid, title, excerpt, body, terms) "  # noqa: S608
        f"SELECT rowid, title, excerpt, body, terms FROM {TABLE}_before"
    )
    execute(f"DROP TABLE {TABLE}_before")
    if not publication:
        execute(f"DROP FUNCTION IF EXISTS {TABLE}_publication()")
    execute(
        f"CREATE INDEX {TABLE}_document ON {TABLE} USING gin (document) WITH (fastupdate = off)"
    )
    if publication:
        execute(
            f"CREATE INDEX {TABLE}_public_recent ON {TABLE} (published_at DESC, rowid DESC) "
            "WHERE public"
        )
    execute(f"ANALYZE {TABLE}")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _remake(schema_editor, publication=True)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _remake(schema_editor, publication=False)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_search_document_remade"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
