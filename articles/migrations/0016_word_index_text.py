"""Each word index holds its body's text too (articles.models.ArticleWordIndex.text): a
search's snippet then reads one row of one table, where it read the index and then the
document's body, kept out of line in the TOAST table (docs/search.md, "Snippets").

On PostgreSQL the rows are written again with their text, from their documents, and the
table keeps rows up to 8,160 bytes whole and uncompressed (`toast_tuple_target`):
PostgreSQL's default, 2 KB, would compress or move out of line most bodies with their
index. The rows are copied aside and written back rather than updated in place, which
would leave a dead copy of every row behind. SQLite keeps no word index (FTS5 makes its
snippets): nothing to do there.
"""

from django.db import migrations, models

WORDS = "articles_search_words"


def _with_text(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in (
        f"CREATE TEMPORARY TABLE {WORDS}_before ON COMMIT DROP AS "  # noqa: S608
        f"SELECT rowid, words FROM {WORDS}",
        f"TRUNCATE {WORDS}",
        f"ALTER TABLE {WORDS} SET (toast_tuple_target = 8160)",
        f"INSERT INTO {WORDS} (rowid, words, text) SELECT b.rowid, b.words, d.body "  # noqa: S608
        f"FROM {WORDS}_before b JOIN articles_search d ON d.rowid = b.rowid",
    ):
        schema_editor.execute(statement)


def _without_text(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {WORDS} RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_article_word_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="articlewordindex",
            name="text",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
        migrations.RunPython(_with_text, _without_text),
    ]
