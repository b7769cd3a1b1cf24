"""The search index (articles/search_index.py, docs/search.md): a table per database,
written in SQL, since FTS5 virtual tables and generated tsvector columns are beyond
Django's schema editor. The documents are written right after `migrate`
(articles.search_index.after_migrate), for articles that exist already."""

import django.db.models.deletion
from django.conf import settings
from django.db import NotSupportedError, migrations, models

TABLE = "articles_search"


def _sqlite_tokenizer(config):
    base = "unicode61 remove_diacritics 2"
    return f"porter {base}" if config.split(".")[-1] == "english" else base


def _postgresql_document(config):
    # Each column HTML-escaped first: PostgreSQL's parser reads `<...>` as a tag.
    language = f"'{config}'::regconfig"
    parts = [("title", "A"), ("excerpt", "B"), ("body", "C"), ("terms", "B")]
    return " || ".join(
        f"setweight(to_tsvector({language}, replace(replace(replace({c}, '&', '&amp;'), "
        f"'<', '&lt;'), '>', '&gt;')), '{w}')"
        for c, w in parts
    )


def create_search_table(apps, schema_editor):
    config = settings.SEARCH_CONFIG
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5(title, excerpt, body, terms, "
            f"tokenize = '{_sqlite_tokenizer(config)}')"
        )
    elif vendor == "postgresql":
        # The foreign key is checked at once (not deferred): see search_index._recreate_index.
        schema_editor.execute(
            f"CREATE TABLE {TABLE} (rowid bigint PRIMARY KEY REFERENCES "
            "articles_article (id) ON DELETE CASCADE, "
            "title text NOT NULL, excerpt text NOT NULL, body text NOT NULL, "
            "terms text NOT NULL, document tsvector GENERATED ALWAYS AS "
            f"({_postgresql_document(config)}) STORED)"
        )
        # No pending list (fastupdate): every search would read it until a vacuum.
        schema_editor.execute(
            f"CREATE INDEX {TABLE}_document ON {TABLE} USING gin (document) WITH (fastupdate = off)"
        )
    else:
        raise NotSupportedError("Article search needs PostgreSQL or SQLite.")


def drop_search_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_editors_manage_images"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(create_search_table, drop_search_table)],
            state_operations=[
                migrations.CreateModel(
                    name="ArticleSearchDocument",
                    fields=[
                        (
                            "article",
                            models.OneToOneField(
                                db_column="rowid",
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                primary_key=True,
                                related_name="search_document",
                                serialize=False,
                                to="articles.article",
                            ),
                        ),
                        ("title", models.TextField()),
                        ("excerpt", models.TextField()),
                        ("body", models.TextField()),
                        ("terms", models.TextField()),
                    ],
                    options={
                        "db_table": "articles_search",
                    },
                ),
            ],
        ),
    ]
