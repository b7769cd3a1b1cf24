"""The environment every benchmark process runs with: production settings (DEBUG off)
against a database of our own on the local PostgreSQL server and a Redis db of our own,
or (`--sqlite`) a SQLite file of our own in var/bench/ and the local-memory cache, the
embedded default `make run` uses.

Only databases named `bench*` are ever created, seeded or dropped, so the `test` and
`test_*` databases of the test suites are never touched. A name ending in `.sqlite3` is
a SQLite file in var/bench/; any other name a PostgreSQL database.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PYTHON = ROOT / ".venv" / "bin" / "python"

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
# A Redis db number of our own (the test suites use 0); flushed before every row.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
HOST = "127.0.0.1"
SQLITE_SUFFIX = ".sqlite3"


def is_sqlite(name: str) -> bool:
    return name.endswith(SQLITE_SUFFIX)


def sqlite_path(name: str) -> Path:
    database_url(name)  # refuses anything but bench*
    return VAR / name


def database_url(name: str) -> str:
    if not name.startswith("bench") or "/" in name:
        raise ValueError(f"refusing to use database {name!r}: benchmark databases are bench*")
    if is_sqlite(name):
        # An absolute path: sqlite:////work/main/var/bench/bench_sqlite.sqlite3. The
        # project's settings give any SQLite database WAL, its lock timeout and
        # immediate transactions, as for the default file.
        return f"sqlite:///{VAR / name}"
    return f"{PG_SERVER}/{name}"


def secret_key() -> str:
    # One key per harness run, shared with its children through the environment.
    key = os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50)
    os.environ["BENCH_SECRET_KEY"] = key
    return key


def django_env(database: str) -> dict[str, str]:
    """Variables for the project's own settings (see README.md), production-style."""
    variables = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secret_key(),
        "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
        "DATABASE_URL": database_url(database),
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": "bench",
        # Plain HTTP on 127.0.0.1: no redirect to https (the only security setting relaxed).
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        # wrk stands in for the reverse proxy: it sends each comment POST's client IP in
        # X-Forwarded-For, so flood checks and throttles see distinct readers.
        "TRUSTED_PROXY_COUNT": "1",
        # As in production: notification tasks are queued in the database by the request
        # and sent by `make worker` (not running here: nobody is to be emailed).
        "TASKS_BACKEND": "database",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_VAR_DIR": str(VAR),
        # No collectstatic: the API serves no static files; an empty directory keeps
        # WhiteNoise quiet.
        "DJANGO_STATIC_ROOT": str(VAR / "static"),
    }
    if is_sqlite(database):
        # The embedded default: no REDIS_URL, so the cache (response cache, stored list
        # totals, throttles) is the local memory of the one worker process.
        del variables["REDIS_URL"], variables["CACHE_KEY_PREFIX"]
    return variables


def child_env(database: str, **extra: str) -> dict[str, str]:
    """os.environ with the project's variables replaced by the benchmark's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_"))}
    env.pop("DATABASE_URL", None)
    env.update(django_env(database), **extra)
    return env
