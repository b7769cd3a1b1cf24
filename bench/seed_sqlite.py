"""Seed a benchmark SQLite file (`make bench-sqlite`) with bench/seed.py's rows.

The same plan, generators and derived columns as the PostgreSQL seeder, written with
`executemany` in one transaction into a file `manage.py migrate` created (indexes and
all: at the SQLite sizes that is quicker than dropping and rebuilding them), then the
planner's statistics as the app itself gathers them after migrations and imports
(plumbing/sqlite.py). What was seeded is recorded next to the file (`<name>.json`), as
the PostgreSQL seeder records it on the database, for `--reuse-data`.
"""

from __future__ import annotations

import json
import sys
import time

from bench import env
from bench.seed import Dataset, Progress, Sizes, Table, derive_the_rest, plan, seeded_models
from bench.seed import summary as seed_summary

BATCH = 5000


def marker_path(database: str):
    return env.sqlite_path(database).with_suffix(".json")


def marker(database: str) -> dict | None:
    """What `seed_sqlite` recorded for the file, or None (no file, or not seeded)."""
    path = marker_path(database)
    if not env.sqlite_path(database).exists() or not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except ValueError:
        return None


def remove(database: str) -> None:
    """The file, its WAL and shared-memory files, and what was recorded about it."""
    path = env.sqlite_path(database)
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    marker_path(database).unlink(missing_ok=True)


def insert_rows(cursor, table: Table, rows, progress: Progress) -> None:
    columns = ", ".join(f'"{field.column}"' for field in table.fields)
    placeholders = ", ".join(["%s"] * len(table.fields))
    statement = f'INSERT INTO "{table.name}" ({columns}) VALUES ({placeholders})'  # noqa: S608 - our own column names

    def values():
        for row in rows:
            yield table.checked_values(row)
            progress.advance()

    batch = []
    for row in values():
        batch.append(row)
        if len(batch) == BATCH:
            cursor.executemany(statement, batch)
            batch.clear()
    if batch:
        cursor.executemany(statement, batch)
    progress.finish()


def seed_sqlite(database: str, sizes: Sizes) -> dict:
    """Fill the migrated, empty SQLite file; returns (and records) the timings."""
    from django.db import connection, transaction
    from django.utils import timezone

    from comments import search_index as comment_search_index
    from plumbing.sqlite import analyze

    started = time.monotonic()
    now = timezone.now()
    print(
        f"Seeding {database}: {sizes.articles:,} articles, {sizes.comments:,} comments",
        file=sys.stderr,
    )
    data = Dataset(sizes, now)
    tables = [Table(m, now, prepare=True) for m in seeded_models()]
    timings = {}
    # One transaction (an immediate one, as the project's settings begin them). Foreign
    # keys are checked at the commit (Django declares them DEFERRABLE INITIALLY
    # DEFERRED), so comments may be written before their articles.
    with transaction.atomic(), connection.cursor() as cursor:
        # The comments' search index is made once, at the end, as bench/seed.py makes
        # it after its COPY: row by row, its triggers made 60,000 comments take 95 s
        # instead of 7 (in one transaction, SQLite's default page cache thrashes).
        for trigger in comment_search_index.SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {trigger}")
        for table, rows, total in plan(data, tables):
            t0 = time.monotonic()
            insert_rows(cursor, table, rows, Progress(table.name, total))
            timings[table.name] = round(time.monotonic() - t0, 1)
        t0 = time.monotonic()
        derive_the_rest()
        timings["derived"] = round(time.monotonic() - t0, 1)
        t0 = time.monotonic()
        comment_search_index.rebuild()  # the triggers too
        timings["comment_search"] = round(time.monotonic() - t0, 1)
    t0 = time.monotonic()
    print("  ANALYZE", file=sys.stderr, flush=True)
    analyze()
    timings["analyze"] = round(time.monotonic() - t0, 1)
    result = seed_summary(data, round(time.monotonic() - started, 1), timings)
    marker_path(database).write_text(json.dumps(result))
    print(f"Seeded {database} in {result['seconds']:.1f} s {timings}", file=sys.stderr)
    return result
