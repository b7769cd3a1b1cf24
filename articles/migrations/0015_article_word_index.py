"""Each search document's word index (articles.models.ArticleWordIndex): where each word
of its body begins, and its stem, for the snippets Python makes on PostgreSQL
(articles/snippets.py, docs/search.md "Snippets"). A plain table on both databases
(SQLite's stays empty: FTS5 makes its snippets). Existing documents get theirs right
after `migrate` (articles.search_index.after_migrate)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_search_document_publication"),
    ]

    operations = [
        migrations.CreateModel(
            name="ArticleWordIndex",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        db_column="rowid",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="word_index",
                        serialize=False,
                        to="articles.articlesearchdocument",
                    ),
                ),
                ("words", models.TextField()),
            ],
            options={
                "db_table": "articles_search_words",
            },
        ),
    ]
