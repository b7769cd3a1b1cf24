"""What `make cluster` starts, where, and small helpers shared by cluster.py and check.py
(docs/deployment.md, "A cluster on one machine")."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "cluster"
LOGS = VAR / "logs"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG_BIN = Path(os.environ.get("CLUSTER_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "postgres"  # initdb and postgres refuse to run as root
DB_NAME = "cms"

PRIMARY_PORT = 5433
REPLICA_PORT = 5434
REDIS_PORT = 6380
VARNISH_PORT = 8100
NODE_PORTS = {"a": 8101, "b": 8102}
# The replica applies the primary's changes this late, so replication lag is real and the
# check can see it; the nodes skip a replica further behind than MAX_LAG, and pin a reader
# who wrote to the primary for PIN seconds (above the delay).
APPLY_DELAY_SECONDS = 2
MAX_LAG_SECONDS = 5
PIN_SECONDS = 10

PRIMARY_DATA = VAR / "pg-primary"
REPLICA_DATA = VAR / "pg-replica"
VARNISH_DIR = VAR / "varnish"
VCL = ROOT / "deploy" / "varnish.vcl"
SECRET_FILE = VAR / "secret-key"
PASSWORD_FILE = VAR / "admin-password"
ADMIN_USER = "admin"


def url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


VARNISH_URL = url(VARNISH_PORT)


def pidfile(name: str) -> Path:
    return VAR / f"{name}.pid"


def read_pid(name: str) -> int | None:
    """The pid in var/cluster/<name>.pid when that process is alive."""
    path = {"primary": PRIMARY_DATA / "postmaster.pid", "replica": REPLICA_DATA / "postmaster.pid"}
    path = path.get(name, pidfile(name))
    try:
        pid = int(path.read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return pid


def stop_pid(name: str, timeout: float = 15.0) -> bool:
    """SIGTERM the process named `name` (its pid file), SIGKILL after `timeout`; False
    when it was not running."""
    pid = read_pid(name)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return True
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return True


def app_env() -> dict[str, str]:
    """The environment of the app nodes, the task worker and manage.py: production
    settings (DEBUG off) with the relaxations plain HTTP on 127.0.0.1 needs."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_ENV_FILE": str(VAR / "no-env-file"),  # never the checkout's .env
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": SECRET_FILE.read_text().strip(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_VAR_DIR": str(VAR / "app"),
            "DJANGO_STATIC_ROOT": str(VAR / "static"),
            "DJANGO_MEDIA_ROOT": str(VAR / "media"),
            # Plain HTTP on this machine: no HTTPS redirect, no Secure-only cookies, no HSTS.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SESSION_COOKIE_SECURE": "0",
            "DJANGO_CSRF_COOKIE_SECURE": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": f"postgres://{PG_USER}@127.0.0.1:{PRIMARY_PORT}/{DB_NAME}",
            "DATABASE_REPLICA_URLS": f"postgres://{PG_USER}@127.0.0.1:{REPLICA_PORT}/{DB_NAME}",
            "DATABASE_PIN_SECONDS": str(PIN_SECONDS),
            "DATABASE_REPLICA_MAX_LAG_SECONDS": str(MAX_LAG_SECONDS),
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "TASKS_BACKEND": "database",
            "CDN_PURGERS": "varnish",
            "VARNISH_PURGE_URLS": VARNISH_URL,
            "SITE_URL": VARNISH_URL,
            "GUNICORN_WORKERS": os.environ.get("CLUSTER_GUNICORN_WORKERS", "2"),
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        }
    )
    for name in ("DATABASE_CONN_MAX_AGE", "API_RESPONSE_CACHE"):
        env.pop(name, None)
    return env


def run(args: list[str], *, env: dict | None = None, as_pg: bool = False, **kwargs):
    if as_pg and os.geteuid() == 0:
        args = ["runuser", "-u", PG_USER, "--", *args]
    return subprocess.run(args, env=env, check=True, **kwargs)  # noqa: S603 - our own commands


def psql(port: int, sql: str, db: str = DB_NAME, params: tuple = ()) -> str:
    """The first column of the first row of `sql` on the cluster's server at `port`
    ("" when there is no row), in a connection of its own."""
    import psycopg  # the project's PostgreSQL driver, in .venv

    dsn = f"host=127.0.0.1 port={port} user={PG_USER} dbname={db} connect_timeout=3"
    with psycopg.connect(dsn, autocommit=True) as conn:
        cursor = conn.execute(sql, params or None)
        row = cursor.fetchone() if cursor.description else None
    return "" if row is None else str(row[0])


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def request(
    method: str,
    target: str,
    *,
    headers: dict | None = None,
    body: bytes | None = None,
    timeout: float = 10.0,
) -> Response:
    """One HTTP request on a fresh connection (no redirects followed, nothing hidden)."""
    parts = urllib.parse.urlsplit(target)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(method, path or "/", body=body, headers=headers or {})
        answer = conn.getresponse()
        return Response(answer.status, answer.headers, answer.read())
    finally:
        conn.close()


def answers(target: str) -> bool:
    try:
        return request("GET", target, timeout=2).status == 200
    except OSError:
        return False


def wait_for(what: str, test, timeout: float = 60.0, interval: float = 0.3) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if test():
            return
        time.sleep(interval)
    raise RuntimeError(f"{what} did not come up within {timeout:.0f} s (logs: {LOGS})")
