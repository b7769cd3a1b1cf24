"""PostgreSQL's search table made again (SQLite's FTS5 needs neither change):

- no phrase spans two columns: `||` made the title's last word and the excerpt's first
  adjacent, so `"climate report"` found a title ending in "climate" before an excerpt
  starting with "Report" (158 articles found where FTS5, and the columns one by one,
  find 115). A lexeme no query can hold now stands 100 positions between the columns;
- the row holds the `tsvector` uncompressed and the body's text out of line. A search
  reads every matching row's document (to rank every match, and to match a word too
  frequent for the index to be worth reading); with the body in the row PostgreSQL
  compressed the document instead, and ranking a word found in 76,000 of 100,000
  articles took 210 ms, 50 ms with the body out of the row (docs/search.md).

A new table is filled from the old one's text in one pass (PostgreSQL computes the
documents), then the old one dropped: no dead copy of each row is left behind.
"""

from django.conf import settings
from django.db import migrations

TABLE = "articles_search"
COLUMN_BREAK = "'''column break'':100'::tsvector"


def _document(config, *, column_break):
    # Each column HTML-escaped first: PostgreSQL's parser reads `<...>` as a tag.
    language = f"'{config}'::regconfig"
    parts = [("title", "A"), ("excerpt", "B"), ("body", "C"), ("terms", "B")]
    return (f" || {COLUMN_BREAK} || " if column_break else " || ").join(
        f"setweight(to_tsvector({language}, replace(replace(replace({c}, '&', '&amp;'), "
        f"'<', '&lt;'), '>', '&gt;')), '{w}')"
        for c, w in parts
    )


def _remake(schema_editor, *, improved):
    execute = schema_editor.execute
    execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_before")
    execute(f"ALTER INDEX {TABLE}_pkey RENAME TO {TABLE}_before_pkey")
    execute(f"DROP INDEX {TABLE}_document")
    document = _document(settings.SEARCH_CONFIG, column_break=improved)
    execute(
        f"CREATE TABLE {TABLE} (rowid bigint PRIMARY KEY REFERENCES articles_article (id) "
        "ON DELETE CASCADE, title text NOT NULL, excerpt text NOT NULL, body text NOT NULL, "
        f"terms text NOT NULL, document tsvector GENERATED ALWAYS AS ({document}) STORED)"
    )
    if improved:
        execute(
            f"ALTER TABLE {TABLE} ALTER COLUMN body SET STORAGE EXTERNAL, "
            "ALTER COLUMN document SET STORAGE MAIN"
        )
    execute(
        "INSERT INTO articles_search (rowid, title, excerpt, body, terms) "
        "SELECT rowid, title, excerpt, body, terms FROM articles_search_before"
    )
    execute(f"DROP TABLE {TABLE}_before")
    execute(
        f"CREATE INDEX {TABLE}_document ON {TABLE} USING gin (document) WITH (fastupdate = off)"
    )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _remake(schema_editor, improved=True)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _remake(schema_editor, improved=False)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_article_search"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
