"""SQLite as the embedded default (`make run`): WAL, writers that take their lock up
front, planner statistics after migrations and imports, and a public list the partial
index answers (issue #15)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from articles import selectors
from articles.models import Article
from plumbing.sqlite import analyze
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's planner and pragmas; PostgreSQL's "
    "plans are checked in tests/bench and tests/comments/test_comment_sort.py",
)


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(row[-1] for row in cursor.fetchall())


@on_sqlite
def test_the_public_list_is_read_from_the_partial_index_without_a_sort():
    for number in range(30):
        ArticleFactory(status=Article.Status.DRAFT if number % 3 else Article.Status.PUBLISHED)
    analyze()
    newest = selectors.public_articles(now=timezone.now()).order_by("-published_at", "-id")[:20]

    found = plan(newest)

    assert "USING INDEX article_public_recent" in found, found
    assert "TEMP B-TREE" not in found, found


def test_the_visible_filter_writes_its_statuses_into_the_sql():
    sql, params = Article.objects.visible().query.sql_with_params()

    assert "IN ('published', 'scheduled')" in sql
    assert "published" not in [str(value) for value in params]


def test_in_literals_refuses_anything_but_code_words():
    with pytest.raises(ValueError):
        str(Article.objects.filter(status__in_literals=["published'; DROP TABLE x; --"]).query)


def test_a_file_database_uses_wal_and_immediate_transactions(tmp_path):
    script = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "cursor = connection.cursor()\n"
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0])\n"
        "print(connection.transaction_mode)\n"
        "print(cursor.execute('PRAGMA busy_timeout').fetchone()[0])\n"
        "print(cursor.execute('PRAGMA cache_size').fetchone()[0])\n"
        "print(connection.settings_dict['CONN_MAX_AGE'])\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    # A 64 MB page cache (negative: KiB), for large imports; the connection kept between
    # requests (DATABASE_CONN_MAX_AGE, 60 s), so the cache and the parsed schema last.
    assert result.stdout.split() == ["wal", "IMMEDIATE", "20000", "-64000", "60"]


@on_sqlite
def test_migrations_leave_planner_statistics_behind():
    # The test database was migrated: post_migrate ran ANALYZE (sqlite_stat1 exists).
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone()[0] == 1


def _status(n: int) -> str:
    # The benchmark's mix: 90 % published, 5 % scheduled (due), 3 % drafts, 2 % archived.
    share = n % 100
    if share < 90:
        return Article.Status.PUBLISHED
    if share < 95:
        return Article.Status.SCHEDULED
    return Article.Status.DRAFT if share < 98 else Article.Status.ARCHIVED


@pytest.fixture
def newsroom_shaped():
    """Like the benchmark's data, smaller: 4 roots with 3 children each, 5,000 articles
    in the benchmark's mix of statuses over the children, then the project's ANALYZE
    (sampled: analysis_limit), whose estimates once steered SQLite to a sort."""
    from articles.models import Category
    from tests.factories import CategoryFactory

    roots = [CategoryFactory() for _ in range(4)]
    children = [CategoryFactory(parent=root) for root in roots for _ in range(3)]
    now = timezone.now()
    Article.objects.bulk_create(
        (
            Article(
                title=f"Article {n}",
                slug=f"article-{n}",
                body="<p>Words.</p>",
                status=_status(n),
                published_at=now - timezone.timedelta(minutes=n),
                category=children[n % len(children)],
            )
            for n in range(5000)
        ),
        batch_size=1000,
    )
    analyze()
    return {"root": Category.objects.get(pk=roots[0].pk), "leaf": children[0]}


def filtered_page(category_slug: str):
    from articles.api.filters import ArticleFilter

    queryset = selectors.public_articles(now=timezone.now())
    filtered = ArticleFilter({"category": category_slug}, queryset=queryset)
    assert filtered.is_valid(), filtered.errors
    return filtered.qs[:20]


@on_sqlite
@pytest.mark.parametrize("which", ["root", "leaf"])
def test_the_category_filter_reads_a_partial_index_without_a_sort(newsroom_shaped, which):
    category = newsroom_shaped[which]

    found = plan(filtered_page(category.slug))

    assert "TEMP B-TREE" not in found, found
    expected = "article_public_recent" if which == "root" else "article_public_cat_recent"
    assert f"USING INDEX {expected}" in found, found
    # And the page is right: newest first, only the subtree's public articles.
    page = list(filtered_page(category.slug))
    assert len(page) == 20
    assert all(a.category.tree_path.startswith(category.tree_path) for a in page)
    assert [a.published_at for a in page] == sorted((a.published_at for a in page), reverse=True)


@on_sqlite
def test_the_front_page_reads_the_public_index_after_analyze(newsroom_shaped):
    # With statistics (ANALYZE) on a realistic table, an index on (status, published_at)
    # used to win: both public statuses read from it, then every visible row sorted.
    page = selectors.public_article_rows(now=timezone.now()).order_by("-published_at", "-id")
    found = plan(page[:20])
    assert "USING INDEX article_public_recent" in found, found
    assert "TEMP B-TREE" not in found, found
