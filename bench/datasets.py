"""The run's databases: seeded (or reused) before the load, counted after the POSTs.

PostgreSQL: a migrated template database, then one database per dataset created from
it and filled by bench/seed.py. SQLite: one file per dataset in var/bench/, migrated and
filled by bench/seed_sqlite.py. `--reuse-data` keeps a dataset seeded with the same
sizes (what seeding recorded says so); migrations still run.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import asdict
from typing import TYPE_CHECKING

import psycopg

from bench import env, seed, seed_sqlite

if TYPE_CHECKING:
    from bench.run import Config


def scale_label(articles: int) -> str:
    return f"{articles // 1000}k" if articles >= 1000 and articles % 1000 == 0 else str(articles)


def manage(database: str, *args: str) -> None:
    subprocess.run(
        [str(env.PYTHON), "manage.py", *args], env=env.child_env(database), cwd=env.ROOT, check=True
    )


def run_seeder(database: str, sizes: seed.Sizes) -> dict:
    command = [str(env.PYTHON), "-m", "bench.seed", database]
    command += [f"--articles={sizes.articles}", f"--comments={sizes.comments}"]
    command += [f"--hot-articles={sizes.hot_articles}", f"--hot-comments={sizes.hot_comments}"]
    done = subprocess.run(
        command, env=env.child_env(database), cwd=env.ROOT, stdout=subprocess.PIPE, check=True
    )
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def prepare_datasets(config: Config) -> dict[str, dict]:
    """{database: what seeding it reported}, the main dataset first."""
    wanted = {config.main_database: config.sizes}
    for articles in config.scales:
        name = config.database(f"{config.prefix}_{scale_label(articles)}")
        wanted[name] = config.scale_sizes(articles)
    template = f"{config.prefix}_template"
    template_ready = False
    seeded = {}
    for database, sizes in wanted.items():
        marker = seed.database_marker(database)
        same = marker and marker.get("sizes") == json.loads(json.dumps(asdict(sizes)))
        if config.reuse_data and same:
            print(f"== {database}: reusing the data seeded {marker['seeded_at']}", flush=True)
            manage(database, "migrate", "--noinput", "-v0")
            if not config.sqlite:  # SQLite's migrate ends with ANALYZE (plumbing/sqlite.py)
                seed.analyze_database(database)
            seeded[database] = dict(marker, reused=True)
            continue
        if config.sqlite:
            # A new file, migrated: a couple of seconds, no template needed.
            print(f"== {database}: migrating", flush=True)
            seed_sqlite.remove(database)
            manage(database, "migrate", "--noinput", "-v0")
        else:
            if not template_ready:
                print(f"== {template}: migrating", flush=True)
                seed.recreate_database(template)
                manage(template, "migrate", "--noinput", "-v0")
                template_ready = True
            seed.recreate_database(database, template=template)
        seeded[database] = run_seeder(database, sizes)
    return seeded


def count_posted(database: str, token: str) -> int:
    """Comments stored by a POST run (their emails carry the run's token)."""
    # comments.Comment's table; the seeder and the app agree on it.
    query = "SELECT count(*) FROM comments_comment WHERE author_email LIKE {}"
    pattern = f"bench-{token}-%"
    if env.is_sqlite(database):
        with closing(sqlite3.connect(env.sqlite_path(database))) as conn:
            return conn.execute(query.format("?"), [pattern]).fetchone()[0]
    with psycopg.connect(env.database_url(database)) as conn:
        return conn.execute(query.format("%s"), [pattern]).fetchone()[0]
