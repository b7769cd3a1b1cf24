"""Seed a benchmark database: nested categories, tags, authors, articles and threaded
comments, streamed from generators into PostgreSQL's COPY (psycopg 3), so memory stays
bounded (it grows with the number of articles, never with the number of comments).

Column lists come from each model's concrete fields; a column the seeder does not set
gets the field's default, so a new column with a default needs no change here. Derived
columns are computed the way the app computes them: Category.tree_path and slug_path
(Category.save), Comment.depth and is_listed (comments.services), Article.comment_count
(approved comments) and comments_changed_at (the last approved one); the rest
(Category.public_article_count) by the app's own receivers of `bulk_content_changed`,
the signal for writes that bypass model saves, sent once the rows are in.

    .venv/bin/python -m bench.seed bench_dev --articles 1000 --comments 20000

A database named `*.sqlite3` is a SQLite file in var/bench/, filled by
bench/seed_sqlite.py from the same rows.

Run by `python -m bench` (bench/run.py), which creates the database from a migrated
template first; standalone, the database must exist and be migrated.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from array import array
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

import psycopg
from psycopg import sql

from bench import env

# Visible (published, or scheduled in the past), invisible, and how often each occurs.
STATUSES = [
    ("published", 0.90),
    ("scheduled", 0.03),  # published_at in the past: visible
    ("archived", 0.02),
    ("draft", 0.03),
    ("scheduled", 0.02),  # published_at in the future: not yet visible
]
VISIBLE_STATUS_CODES = {0, 1}
COMMENT_STATUSES = [("approved", 0.90), ("pending", 0.06), ("spam", 0.02), ("removed", 0.02)]
REPLY_SHARE = 0.3
MAX_DEPTH = 5  # the policy's default: depths 0-4
SEARCH_WORD = "climate"  # in the vocabulary: what the search row looks for
ROOT_CATEGORIES = ["News", "Technology", "Sport", "Culture", "Business", "Science", "Opinion"]
VOCABULARY = (
    "election budget climate energy market court health school city river train airport "
    "museum festival league season player coach stadium startup software chip phone "
    "network privacy security research study vaccine hospital farmer harvest drought storm "
    "flood wildfire ocean forest mountain village council mayor minister parliament treaty "
    "border trade tariff bank inflation housing rent salary union strike protest police "
    "verdict jury report inquiry scandal award film album concert novel theatre gallery "
    "recipe restaurant coffee travel hotel beach island bridge tunnel road cycling marathon "
    "final record injury transfer victory defeat draw goal match series launch rocket "
    "satellite planet telescope fossil genome robot battery solar wind nuclear carbon"
)
WORDS = VOCABULARY.split()
USER_AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile",
]


@dataclass(frozen=True)
class Sizes:
    articles: int = 100_000
    comments: int = 1_000_000
    hot_articles: int = 3  # visible articles with `hot_comments` comments each
    hot_comments: int = 12_000  # ~90% listed: a 10,000+-comment thread
    medium_comments: int = 100  # one article with exactly this many listed comments
    category_fanout: tuple[int, ...] = (7, 4, 3)  # roots, children each, grandchildren each
    tags: int = 400
    authors: int = 150
    random_seed: int = 5


class Progress:
    """A one-line progress report on stderr (redrawn on a terminal, every 10% otherwise)."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done = label, max(total, 1), 0
        self.started = self.shown = time.monotonic()
        # Small tables only report when done.
        self.quiet = total < 50_000
        self.tty = sys.stderr.isatty()
        self.next_tenth = 1

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.quiet:
            return
        now = time.monotonic()
        tenth = self.done * 10 // self.total
        if (self.tty and now - self.shown >= 0.5) or (not self.tty and tenth >= self.next_tenth):
            self.shown, self.next_tenth = now, tenth + 1
            self._show(now, end="\r" if self.tty else "\n")

    def finish(self) -> None:
        if self.tty or self.quiet or self.next_tenth <= 10:  # not already shown at 100%
            self._show(time.monotonic(), end="\n")

    def _show(self, now: float, end: str) -> None:
        elapsed = max(now - self.started, 1e-6)
        print(
            f"  {self.label}: {self.done:,}/{self.total:,} ({100 * self.done // self.total}%) "
            f"{self.done / elapsed:,.0f} rows/s  ",
            end=end,
            file=sys.stderr,
            flush=True,
        )


class Table:
    """A model's table as COPY sees it: every concrete column, in order, with defaults.

    `prepare`: convert each value as Django does before a save (get_db_prep_save), for a
    driver that does not adapt Python values itself (SQLite's stores datetimes as
    text); psycopg's COPY takes them as they are."""

    def __init__(self, model, now: datetime, *, prepare: bool = False):
        from django.db import connection

        self.model = model
        self.connection, self.prepare = connection, prepare
        self.name = model._meta.db_table
        self.fields = [f for f in model._meta.concrete_fields if not _filled_by_database(f)]
        self.attnames = [f.attname for f in self.fields]
        self.defaults = [_static_default(f, now, connection) for f in self.fields]
        # Callable defaults (uuid4, timezone.now) are called once per row, not per table.
        self.per_row = [(i, f) for i, f in enumerate(self.fields) if _callable_default(f)]
        columns = sql.SQL(", ").join(sql.Identifier(f.column) for f in self.fields)
        self.copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(self.name), columns
        )

    def values(self, row: dict) -> list:
        values = [row.get(a, d) for a, d in zip(self.attnames, self.defaults, strict=True)]
        for i, field in self.per_row:
            if field.attname not in row:
                values[i] = field.get_default()
        if self.prepare:
            given = set(row) | {f.attname for _, f in self.per_row}
            for i, field in enumerate(self.fields):
                if field.attname in given:
                    values[i] = field.get_db_prep_save(values[i], self.connection)
        return values

    def checked_values(self, row: dict) -> list:
        """`values`, refusing a NOT NULL column left without a value."""
        values = self.values(row)
        if _REQUIRED in values:
            missing = self.attnames[values.index(_REQUIRED)]
            raise SystemExit(
                f"bench/seed.py: {self.model.__name__}.{missing} is NOT NULL with no "
                "default: give it a value in the seeder"
            )
        return values


_REQUIRED = object()


def _filled_by_database(field) -> bool:
    from django.db.models import NOT_PROVIDED

    return (
        getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED and not field.has_default()
    )


def _callable_default(field) -> bool:
    return field.has_default() and callable(field.default)


def _static_default(field, now: datetime, connection):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return field.get_db_prep_save(now, connection)
    if _callable_default(field):
        return None  # replaced per row
    value = field.get_default()
    if value is None and not field.null and not field.primary_key:
        return _REQUIRED
    return field.get_db_prep_save(value, connection)


def copy_rows(cursor, table: Table, rows, progress: Progress) -> None:
    with cursor.copy(table.copy_sql) as copy:
        for row in rows:
            copy.write_row(table.checked_values(row))
            progress.advance()
    progress.finish()


def _weighted(rng: random.Random, choices: list[tuple[str, float]]) -> int:
    r, total = rng.random(), 0.0
    for index, (_, weight) in enumerate(choices):
        total += weight
        if r < total:
            return index
    return len(choices) - 1


class Dataset:
    """The plan of one dataset, built from `Sizes` and a random seed: deterministic."""

    def __init__(self, sizes: Sizes, now: datetime):
        self.sizes, self.now = sizes, now
        self.span = timedelta(days=3 * 365)
        rng = random.Random(sizes.random_seed)
        n = sizes.articles
        special = rng.sample(range(1, n + 1), min(n, sizes.hot_articles + 1))
        self.hot_ids = set(special[: sizes.hot_articles])
        self.medium_id = special[-1] if len(special) > sizes.hot_articles else None
        # Per article (index = id - 1): status code and publication time (epoch seconds).
        self.status = array("b", bytes(n))
        self.published = array("d", bytes(8 * n))
        newest = now.timestamp() - 600
        for i in range(n):
            code = 0 if i + 1 in special else _weighted(rng, STATUSES)
            self.status[i] = code
            age = self.span.total_seconds() * (n - i) / n + rng.random() * 3600
            self.published[i] = (
                now.timestamp() + 86400 * (1 + rng.random() * 30) if code == 4 else newest - age
            )
        self.visible = [i + 1 for i in range(n) if self.status[i] in VISIBLE_STATUS_CODES]
        self.comment_counts = self._comment_counts(rng)
        # Filled while the comments are written, read when the articles are.
        self.approved = array("I", bytes(4 * n))
        self.last_approved = array("d", bytes(8 * n))
        self.categories = list(self._categories())

    def _comment_counts(self, rng: random.Random) -> dict[int, int]:
        counts = dict.fromkeys(self.hot_ids, self.sizes.hot_comments)
        if self.medium_id is not None:
            counts[self.medium_id] = self.sizes.medium_comments
        others = [i for i in self.visible if i not in counts]
        rng.shuffle(others)
        remaining = self.sizes.comments - sum(counts.values())
        # Skewed: a few articles draw hundreds of comments, most a handful or none.
        for _ in range(max(remaining, 0) if others else 0):
            article_id = others[int(len(others) * rng.random() ** 2)]
            counts[article_id] = counts.get(article_id, 0) + 1
        return counts

    def _categories(self):
        fanout = self.sizes.category_fanout
        next_id = 1
        level = [(None, "", "", "")]  # (id, tree_path, slug_path, name) of the parents
        for depth, count in enumerate(fanout):
            children = []
            for parent_id, tree_path, slug_path, parent_name in level:
                for k in range(count):
                    if depth == 0:
                        name = ROOT_CATEGORIES[k] if k < len(ROOT_CATEGORIES) else f"Section {k}"
                        slug = name.lower().replace(" ", "-")
                    else:
                        name = f"{parent_name} {WORDS[(next_id * 7) % len(WORDS)]} {k + 1}"
                        slug = f"{slug_path.rsplit('/', 1)[-1]}-{k + 1}"
                    row = {
                        "id": next_id,
                        "name": name,
                        "slug": slug,
                        "parent_id": parent_id,
                        "description": f"Everything about {name.lower()}.",
                        "position": k,
                        "tree_path": f"{tree_path or '/'}{next_id}/",
                        "slug_path": f"{slug_path}/{slug}" if slug_path else slug,
                    }
                    yield row
                    children.append((next_id, row["tree_path"], row["slug_path"], name))
                    next_id += 1
            level = children

    # --- rows ------------------------------------------------------------------------

    def author_rows(self):
        for i in range(1, self.sizes.authors + 1):
            yield {"id": i, "name": f"Author {i}", "slug": f"author-{i}", "bio": "Staff writer."}

    def tag_rows(self):
        for i in range(1, self.sizes.tags + 1):
            word = WORDS[i % len(WORDS)]
            yield {"id": i, "name": f"{word.title()} {i}", "slug": f"{word}-{i}"}

    def article_rows(self):
        rng = random.Random(self.sizes.random_seed + 1)
        paragraphs = [_paragraph(rng) for _ in range(500)]
        category_ids = [c["id"] for c in self.categories]
        statuses = [name for name, _ in STATUSES]
        tz = self.now.tzinfo
        for i in range(self.sizes.articles):
            article_id, code = i + 1, self.status[i]
            status = statuses[code]
            published = datetime.fromtimestamp(self.published[i], tz)
            created = min(published, self.now) - timedelta(hours=1 + rng.random() * 48)
            title = " ".join(rng.choices(WORDS, k=rng.randint(4, 9))).capitalize()
            last = self.last_approved[i]
            yield {
                "id": article_id,
                "title": title,
                "slug": f"{title.lower().replace(' ', '-')[:200]}-{article_id}",
                "excerpt": paragraphs[article_id % 500][3:160].rsplit(" ", 1)[0] + ".",
                "body": "".join(rng.sample(paragraphs, 4)),
                "category_id": rng.choice(category_ids),
                "author_id": rng.randint(1, self.sizes.authors),
                "status": status,
                "published_at": None if status == "draft" else published,
                "created_at": created,
                "updated_at": created if status == "draft" else min(published, self.now),
                "comments_enabled": article_id in self.comment_counts or rng.random() < 0.98,
                "comment_count": self.approved[i],
                "comments_changed_at": datetime.fromtimestamp(last, tz) if last else None,
            }

    def article_tag_rows(self):
        rng = random.Random(self.sizes.random_seed + 2)
        row_id = 0
        for article_id in range(1, self.sizes.articles + 1):
            for tag_id in rng.sample(range(1, self.sizes.tags + 1), rng.randint(0, 4)):
                row_id += 1
                yield {"id": row_id, "article_id": article_id, "tag_id": tag_id}

    def comment_rows(self):
        rng = random.Random(self.sizes.random_seed + 3)
        bodies = [_sentence(rng, 8, 40) for _ in range(2000)]
        readers = max(1000, self.sizes.comments // 20)
        comment_id = 0
        tz = self.now.tzinfo
        end = self.now.timestamp() - 60
        for article_id in sorted(self.comment_counts):
            count = self.comment_counts[article_id]
            threaded = article_id != self.medium_id
            # After publication, before now (visible articles went live 10 minutes ago
            # or earlier), in order: ids and times both grow along the thread.
            start = self.published[article_id - 1] + 1
            step = (end - start) / count
            depths: list[int] = []
            listed: list[bool] = []
            first_id = comment_id + 1
            approved, last_approved = 0, 0.0
            for j in range(count):
                comment_id += 1
                parent = None
                if threaded and j and rng.random() < REPLY_SHARE:
                    candidate = rng.randrange(j)
                    if depths[candidate] + 1 < MAX_DEPTH:
                        parent = candidate
                status = (
                    COMMENT_STATUSES[_weighted(rng, COMMENT_STATUSES)][0]
                    if threaded
                    else "approved"
                )
                is_listed = status == "approved" and (parent is None or listed[parent])
                depths.append(0 if parent is None else depths[parent] + 1)
                listed.append(is_listed)
                submitted = start + step * (j + rng.random())
                if status == "approved":
                    approved, last_approved = approved + 1, submitted
                reader = rng.randrange(readers)
                yield {
                    "id": comment_id,
                    "article_id": article_id,
                    "parent_id": None if parent is None else first_id + parent,
                    "depth": depths[-1],
                    "author_name": f"Reader {reader}",
                    "author_email": f"reader{reader}@example.com",
                    "body": bodies[comment_id % 2000],
                    "status": status,
                    "is_listed": is_listed,
                    "submitted_at": datetime.fromtimestamp(submitted, tz),
                    # 198.18.0.0/15: the benchmarking range (RFC 2544).
                    "ip_address": f"198.{18 + reader // 65536 % 2}.{reader // 256 % 256}.{reader % 256}",
                    "user_agent": USER_AGENTS[reader % len(USER_AGENTS)],
                    "moderated_at": None
                    if status == "pending"
                    else datetime.fromtimestamp(submitted + 300, tz),
                }
            self.approved[article_id - 1] = approved
            self.last_approved[article_id - 1] = last_approved


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(low, high))).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return "<p>" + " ".join(_sentence(rng, 6, 14) for _ in range(4)) + "</p>"


# --- the database --------------------------------------------------------------------


def maintenance_connection() -> psycopg.Connection:
    return psycopg.connect(f"{env.PG_SERVER}/postgres", autocommit=True)


def recreate_database(name: str, *, template: str | None = None) -> None:
    env.database_url(name)  # refuses anything but bench*
    with maintenance_connection() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(create)


def analyze_database(name: str) -> None:
    """ANALYZE a reused PostgreSQL dataset after its migrations: a table a migration
    made or filled (a search index) has no statistics until then."""
    with psycopg.connect(env.database_url(name), autocommit=True) as conn:
        conn.execute("ANALYZE")


def database_marker(name: str) -> dict | None:
    """What `seed` recorded on the database (sizes, seconds), or None."""
    if env.is_sqlite(name):
        from bench import seed_sqlite

        return seed_sqlite.marker(name)
    with maintenance_connection() as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else None
    except ValueError:
        return None


def _secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """Indexes not backing a constraint: dropped before COPY and built again after."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """,
        [table],
    )
    return cursor.fetchall()


def seeded_models() -> list:
    """The seeded models, in the order their rows are written."""
    from articles.models import Article, Author, Category, Tag
    from comments.models import Comment

    return [Category, Tag, Author, Comment, Article, Article.tags.through]


def plan(data: Dataset, tables: list[Table]) -> list[tuple[Table, object, int]]:
    """(table, rows, how many) for each of `seeded_models()`'s tables, in order."""
    sizes = data.sizes
    return [
        (tables[0], data.categories, len(data.categories)),
        (tables[1], data.tag_rows(), sizes.tags),
        (tables[2], data.author_rows(), sizes.authors),
        # Comments before articles: the articles' counts come from them.
        (tables[3], data.comment_rows(), sum(data.comment_counts.values())),
        (tables[4], data.article_rows(), sizes.articles),
        (tables[5], data.article_tag_rows(), sizes.articles * 2),
    ]


def derive_the_rest() -> None:
    """What the app derives from the rows by itself (Category.public_article_count, ...):
    the seeder is a bulk write that bypasses model saves, and says so as the WordPress
    import does."""
    from articles.signals import bulk_content_changed

    bulk_content_changed.send(sender=Dataset)


def summary(data: Dataset, seconds: float, timings: dict) -> dict:
    """What a seeding reports and records on the database."""
    from comments.models import Comment

    hot = max(data.hot_ids, default=None)
    return {
        "sizes": asdict(data.sizes),
        "seconds": seconds,
        "timings": timings,
        "visible_articles": len(data.visible),
        "comments": sum(data.comment_counts.values()),
        "hot_article_listed": (
            None if hot is None else Comment.objects.filter(article_id=hot, is_listed=True).count()
        ),
        "seeded_at": data.now.isoformat(timespec="seconds"),
    }


def seed(database: str, sizes: Sizes) -> dict:
    """Fill the (migrated, empty) database; returns the timings."""
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from comments import search_index as comment_search_index

    started = time.monotonic()
    now = timezone.now()
    print(
        f"Seeding {database}: {sizes.articles:,} articles, {sizes.comments:,} comments",
        file=sys.stderr,
    )
    data = Dataset(sizes, now)
    tables = [Table(m, now) for m in seeded_models()]
    # One transaction: a failure leaves the database as it was (indexes included).
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own, for COPY
        # Generated rows are consistent by construction: skip the foreign-key triggers
        # (this session only) and build the secondary indexes once at the end.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        # LOCAL: VACUUM below marks a page all-visible only once the commit that wrote
        # its rows is flushed; after an asynchronous commit it finds them unflushed on a
        # small dataset, leaves the visibility map empty, and every plan reads the
        # table instead of an index (index-only scans need the map).
        cursor.execute("SET LOCAL synchronous_commit = off")
        indexes = [ix for t in tables for ix in _secondary_indexes(cursor, t.name)]
        for name, _ in indexes:
            cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        timings = {}
        for table, rows, total in plan(data, tables):
            t0 = time.monotonic()
            copy_rows(cursor, table, rows, Progress(table.name, total))
            timings[table.name] = round(time.monotonic() - t0, 1)
        t0 = time.monotonic()
        print(f"  building {len(indexes)} indexes", file=sys.stderr, flush=True)
        for _, definition in indexes:
            cursor.execute(definition)
        timings["indexes"] = round(time.monotonic() - t0, 1)
        cursor.execute("SET session_replication_role = DEFAULT")
        for statement in connection.ops.sequence_reset_sql(no_style(), [t.model for t in tables]):
            cursor.execute(statement)
        t0 = time.monotonic()
        derive_the_rest()
        timings["derived"] = round(time.monotonic() - t0, 1)
        # The comments' search index, which triggers keep: they were off for the COPY.
        t0 = time.monotonic()
        print("  comment search index", file=sys.stderr, flush=True)
        comment_search_index.rebuild()
        timings["comment_search"] = round(time.monotonic() - t0, 1)
    t0 = time.monotonic()
    print("  VACUUM ANALYZE", file=sys.stderr, flush=True)
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        # Every table of the database: the search tables the triggers and rebuilds
        # filled have no statistics otherwise (autovacuum may be off, as on this machine
        # kind), and without them PostgreSQL picks the wrong plan for a rare or a
        # common word; vacuumed, so their visibility maps allow index-only scans.
        cursor.execute("VACUUM (ANALYZE)")
        timings["vacuum_analyze"] = round(time.monotonic() - t0, 1)
    result = summary(data, round(time.monotonic() - started, 1), timings)
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}")
            .format(sql.Identifier(database), sql.Literal(json.dumps(result)))
            .as_string(cursor.cursor)
        )
    print(f"Seeded {database} in {result['seconds']:.1f} s {timings}", file=sys.stderr)
    return result


def parse_sizes(args: argparse.Namespace, base: Sizes = Sizes()) -> Sizes:
    return replace(
        base,
        articles=args.articles,
        comments=args.comments,
        hot_articles=args.hot_articles,
        hot_comments=args.hot_comments,
    )


def add_size_flags(parser: argparse.ArgumentParser, defaults: Sizes = Sizes()) -> None:
    parser.add_argument("--articles", type=int, default=defaults.articles)
    parser.add_argument("--comments", type=int, default=defaults.comments)
    parser.add_argument(
        "--hot-articles",
        type=int,
        default=defaults.hot_articles,
        help="articles with --hot-comments comments each (the deep-cursor thread)",
    )
    parser.add_argument("--hot-comments", type=int, default=defaults.hot_comments)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", help="a bench* database, migrated and empty")
    add_size_flags(parser)
    args = parser.parse_args(argv)
    os.environ.update(env.django_env(args.database))
    import django

    django.setup()
    if env.is_sqlite(args.database):
        from bench.seed_sqlite import seed_sqlite

        result = seed_sqlite(args.database, parse_sizes(args))
    else:
        result = seed(args.database, parse_sizes(args))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
