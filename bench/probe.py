"""In-process look at a seeded database, before the load runs.

Picks what each row requests (the 10,000-comment thread, its deep cursor page, the
100-comment article, a category, slugs for cold detail reads and comment POSTs), then
sends each request once through Django's test client with the cache cleared (cold) and
once more (warm), counting SQL queries with CaptureQueriesContext, and EXPLAINs every
query of the cold request, flagging sequential scans on the large tables (a `SCAN` of
the table itself, no index, on SQLite).

    .venv/bin/python -m bench.probe bench --out var/bench/probe-bench.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from bench import env
from bench.seed import SEARCH_WORD

SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
# SQLite's EXPLAIN QUERY PLAN: "SCAN articles_article" (or its alias, "SCAN U0") reads
# the whole table; "SCAN … USING INDEX" walks an index in order, "SEARCH" looks up.
SQLITE_SCAN = re.compile(r"^SCAN (\w+)$")
SQLITE_SUBQUERY = re.compile(r"SUBQUERY (\d+)$")
SQL_ALIAS = re.compile(r'"(\w+)" ([A-Z]\d+)\b')
EXPLAINABLE = ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")
TRANSACTION = ("SAVEPOINT", "RELEASE", "ROLLBACK")
DETAIL_PATHS = 20_000  # more articles than a cold-detail run requests
POST_ARTICLES = 500
DETAIL_PREFIXES = {
    "detail_cold": "/api/v1/articles/",
    "yard_bare_detail": "/bench/articles/",
    "yard_drf_detail": "/bench/drf/articles/",
}


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def choose_targets(client, out_dir: Path, database: str) -> dict:
    from django.db.models import F
    from django.db.models.functions import Abs

    from articles.models import Article, Category
    from comments.models import Comment

    visible = Article.objects.visible()
    hot = visible.order_by("-comment_count", "id").values("slug", "comment_count").first()
    small = (
        visible.annotate(distance=Abs(F("comment_count") - 100))
        .order_by("distance", "id")
        .values("slug", "comment_count")
        .first()
    )
    newest = visible.order_by("-published_at", "-id").values_list("slug", flat=True).first()
    roots = Category.objects.filter(parent=None).order_by("position", "id")
    category = roots.filter(slug="technology").first() or roots.first()

    hot_comments = f"/api/v1/articles/{hot['slug']}/comments/"
    listed = Comment.objects.listed().filter(article__slug=hot["slug"]).count()
    total_pages = max(1, -(-listed // 20))
    # The deep page: ~80% into the thread, reached by following `next` as a reader would.
    deep_page = max(2, total_pages * 4 // 5)
    url, page = hot_comments, 1
    body = client.get(url).json()
    while page < deep_page and body.get("next"):
        url, page = _path(body["next"]), page + 1
        body = client.get(url).json()

    # The cold detail and its yardsticks read the same articles in the same order: one
    # list of slugs, a file of paths per endpoint.
    slugs = list(visible.order_by("?").values_list("slug", flat=True)[:DETAIL_PATHS])
    files = {}
    for name, prefix in DETAIL_PREFIXES.items():
        files[name] = out_dir / f"{database}-{name}-paths.txt"
        files[name].write_text("".join(f"{prefix}{s}/\n" for s in slugs))
    files["comment_post"] = out_dir / f"{database}-post-paths.txt"
    slugs = visible.filter(comments_enabled=True).order_by("?").values_list("slug", flat=True)
    files["comment_post"].write_text(
        "".join(f"/api/v1/articles/{s}/comments/\n" for s in slugs[:POST_ARTICLES])
    )
    first = {name: file.read_text().split("\n", 1)[0] for name, file in files.items()}
    return {
        "paths": {
            "yard_bare_list": "/bench/articles/",
            "yard_drf_list": "/bench/drf/articles/",
            "yard_bare_detail": first["yard_bare_detail"],
            "yard_drf_detail": first["yard_drf_detail"],
            "list": "/api/v1/articles/",
            "list_category": f"/api/v1/articles/?category={category.slug}",
            "list_search": f"/api/v1/articles/?search={SEARCH_WORD}",
            "detail_cold": first["detail_cold"],
            "detail_cached": f"/api/v1/articles/{newest}/",
            "comments_first": hot_comments,
            "comments_deep": url,
            "comments_small": f"/api/v1/articles/{small['slug']}/comments/",
            "categories": "/api/v1/categories/",
            "comment_post": first["comment_post"],
        },
        "files": {name: str(file) for name, file in files.items()},
        "facts": {
            "hot_article": hot["slug"],
            "hot_listed": listed,
            "hot_pages": total_pages,
            "deep_page": page,
            "small_article": small["slug"],
            "small_approved": small["comment_count"],
            "category": category.slug,
            "search": SEARCH_WORD,
            "visible_articles": visible.count(),
        },
    }


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return [row[-1] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN " + sql)
        return [row[0] for row in cursor.fetchall()]


def full_scans(sql: str, plan: list[str]) -> list[str]:
    """The tables the plan reads whole: PostgreSQL's `Seq Scan`, SQLite's bare `SCAN`.

    SQLite names a table by its alias, and Django reuses aliases (U0, U1) in each
    subquery: a line under the plan's "SUBQUERY n" is read with the aliases of the SQL's
    n-th subquery."""
    tables = SEQ_SCAN.findall("\n".join(plan))
    subqueries = sql.split("(SELECT ")
    subquery = 0
    for line in plan:
        line = line.strip()
        numbered = SQLITE_SUBQUERY.search(line)
        if numbered:
            subquery = int(numbered[1])
            continue
        found = SQLITE_SCAN.match(line)
        if found:
            text = subqueries[subquery] if 0 < subquery < len(subqueries) else sql
            aliases = {alias: table for table, alias in SQL_ALIAS.findall(text)}
            tables.append(aliases.get(found[1], found[1]))
    return tables


def measure(client, name: str, path: str, *, post: dict | None = None) -> dict:
    """One cold request (cache cleared) and one warm: statuses, query counts, scans."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article, ArticleSearchDocument, ArticleWordIndex
    from comments.models import Comment

    large = {
        Article._meta.db_table,
        ArticleSearchDocument._meta.db_table,
        ArticleWordIndex._meta.db_table,
        Comment._meta.db_table,
        Article.tags.through._meta.db_table,
    }
    results = {}
    for phase in ("cold", "warm"):
        if phase == "cold":
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            if post is None:
                response = client.get(path)
            else:
                body = dict(post, author_email=f"{phase}-{post['author_email']}")
                response = client.post(
                    path,
                    json.dumps(body),
                    content_type="application/json",
                    HTTP_X_FORWARDED_FOR=f"10.255.0.{1 if phase == 'cold' else 2}",
                )
        statements = [q["sql"] for q in captured.captured_queries]
        results[phase] = {
            "status": response.status_code,
            "bytes": len(response.content),
            "queries": len(statements),
            "transaction_statements": sum(s.upper().startswith(TRANSACTION) for s in statements),
        }
        if phase == "cold":
            scans, plans = [], []
            for sql in statements:
                if not sql.lstrip().upper().startswith(EXPLAINABLE):
                    continue
                plan = explain(sql)
                plans.append({"sql": sql, "plan": plan})
                for table in full_scans(sql, plan):
                    if table in large:
                        scans.append({"table": table, "sql": sql[:300]})
            results["seq_scans"] = scans
            results["plans"] = plans
            results["body"] = response.content.decode(errors="replace")
    results["name"] = name
    return results


# The reads whose plans the scaling curve shows at each size (issue #19).
SCALED_PLANS = ("list", "list_search")


def plan_facts(endpoints: dict) -> dict:
    """What the scaling curve shows of a dataset's plans: the large tables that the
    list's and the search's queries read whole (none: every read through an index), and
    how many articles the search found (its count: at most the SEARCH_RANK_WINDOW)."""
    return {
        "full_scans": {
            name: sorted({scan["table"] for scan in endpoints[name]["seq_scans"]})
            for name in SCALED_PLANS
        },
        "search_found": json.loads(endpoints["list_search"]["body"])["count"],
    }


def probe(database: str, out_dir: Path, *, workers: int = 2) -> dict:
    from django.test import Client

    from articles.models import Article
    from comments.models import Comment

    # As gunicorn says to the app: with one worker, a process-local cache (SQLite's run)
    # is every process's, and the response cache uses it (plumbing/response_cache/store.py).
    client = Client(HTTP_HOST=env.HOST, **{"wsgi.multiprocess": workers > 1})
    chosen = choose_targets(client, out_dir, database)
    endpoints = {}
    for name, path in chosen["paths"].items():
        post = None
        if name == "comment_post":
            post = {
                "author_name": "Probe",
                "author_email": "probe@example.com",
                "body": f"A probe comment from the benchmark ({os.getpid()}).",
            }
        endpoints[name] = measure(client, name, path, post=post)
    chosen["facts"].update(plan_facts(endpoints))
    # The raw WSGI yardstick answers the bytes a cache hit of the detail sends.
    raw_body = out_dir / f"{database}-raw-body.json"
    raw_body.write_text(endpoints["detail_cached"].pop("body"))
    for result in endpoints.values():
        result.pop("body", None)
    return {
        **chosen,
        "raw_body": str(raw_body),
        "endpoints": endpoints,
        "rows": {
            "articles": Article.objects.count(),
            "comments": Comment.objects.count(),
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2, help="the server's worker processes")
    args = parser.parse_args(argv)
    os.environ.update(env.django_env(args.database))
    import django

    django.setup()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(probe(args.database, args.out.parent, workers=args.workers), indent=1)
    )


if __name__ == "__main__":
    main()
