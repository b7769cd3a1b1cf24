"""The production server configuration (deploy/), run for real: gunicorn with
deploy/gunicorn.conf.py behind nginx with deploy/nginx.conf, as docs/deployment.md
starts them.

- Slow clients: bodies trickling in a byte at a time stall gunicorn's sync workers when
  clients reach them directly (shown first, so the test can fail), and do not when nginx
  is in front: reads keep answering at once.
- Two workers and no shared cache (no REDIS_URL): a write in one worker is seen by every
  read that follows, whichever worker answers it.
- Proxy trust: with no trusted proxy gunicorn honours no forwarding header, and a client
  SCRIPT_NAME header is no 500.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.security.helpers import (
    BIN,
    PROJECT_ROOT,
    fetch,
    free_port,
    production_env,
    stop,
    wait_listening,
)

pytestmark = pytest.mark.slow

DEPLOY = PROJECT_ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@contextlib.contextmanager
def serving(command: list[str], *, port: int, log: Path, what: str, **popen) -> Iterator[int]:
    """Run `command` until the block ends, once it listens on `port`; yields the port."""
    server = subprocess.Popen(command, **popen)
    try:
        wait_listening(port, server, log, what)
        yield port
    finally:
        stop(server)


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log: Path, *, workers: int = 2) -> Iterator[int]:
    """`gunicorn -c deploy/gunicorn.conf.py cms.wsgi`, as documented; yields its port."""
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)}
    command = [str(BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py"), "cms.wsgi"]
    command += ["--no-control-socket", "--error-logfile=-"]
    with (
        log.open("w") as output,
        serving(
            command,
            port=port,
            log=log,
            what="gunicorn",
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        ) as served,
    ):
        yield served


@contextlib.contextmanager
def nginx(prefix: Path, app_port: int) -> Iterator[int]:
    """nginx with deploy/nginx.conf, its listen port and upstream moved to free ports."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: run `make system-deps` (Debian's nginx-light)")
    port = free_port()
    config = (DEPLOY / "nginx.conf").read_text()
    for shipped, ours in (
        ("listen 127.0.0.1:8000;", f"listen 127.0.0.1:{port};"),
        ("server 127.0.0.1:8001;", f"server 127.0.0.1:{app_port};"),
    ):
        assert shipped in config, f"deploy/nginx.conf no longer says {shipped!r}"
        config = config.replace(shipped, ours)
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "nginx.conf").write_text(config)
    log = prefix / "error.log"
    log.touch()
    command = [NGINX, "-c", str(prefix / "nginx.conf"), "-p", f"{prefix}/", "-g", "daemon off;"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    with serving(command, port=port, log=log, what="nginx", **quiet) as served:
        yield served


@pytest.fixture
def site(tmp_path, demo_database) -> dict[str, str]:
    shutil.copyfile(demo_database, tmp_path / "db.sqlite3")
    return production_env(tmp_path)


def slow_bodies(port: int, slug: str, count: int) -> list[socket.socket]:
    """Connections that announce a 100-byte comment on a real article (the view reads
    the body) and send one byte of it."""
    held = []
    for _ in range(count):
        conn = socket.create_connection(("127.0.0.1", port), timeout=5)
        conn.sendall(
            f"POST /api/v1/articles/{slug}/comments/ HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode()
            + b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        held.append(conn)
    time.sleep(0.5)  # the server has accepted them and is waiting for the rest
    return held


def timed_get(url: str, timeout: float) -> tuple[int | None, float]:
    """(status or None on a time-out, seconds)."""
    import urllib.error
    import urllib.request

    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status, time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started
    except (TimeoutError, urllib.error.URLError):
        return None, time.monotonic() - started


def test_reads_keep_answering_while_slow_bodies_trickle_in(tmp_path, site):
    with gunicorn(site, tmp_path / "gunicorn.log", workers=2) as app_port:
        warm = f"http://127.0.0.1:{app_port}/api/v1/tags/"
        for _ in range(4):  # both workers import the URLconf before anything is timed
            assert timed_get(warm, 10)[0] == 200
        listing = fetch("GET", f"http://127.0.0.1:{app_port}/api/v1/articles/").json()
        slug = listing["results"][0]["slug"]

        # Straight to gunicorn, two slow clients hold both sync workers: a read waits.
        held = slow_bodies(app_port, slug, 2)
        try:
            status, _ = timed_get(f"http://127.0.0.1:{app_port}/api/v1/articles/", 2)
            assert status is None, "gunicorn answered although both workers were held"
        finally:
            for conn in held:
                conn.close()

        with nginx(tmp_path / "nginx", app_port) as port:
            base = f"http://127.0.0.1:{port}"
            held = slow_bodies(port, slug, 6)
            try:
                for path in ("/api/v1/articles/", "/api/v1/categories/", "/healthz"):
                    for _ in range(3):
                        status, seconds = timed_get(base + path, 5)
                        assert status == 200, (path, status)
                        assert seconds < 1.0, (path, seconds)
                # A whole write goes through too, while the slow ones still trickle.
                posted = fetch(
                    "POST",
                    f"{base}/api/v1/articles/{slug}/comments/",
                    {"author_name": "Ann", "author_email": "ann@example.com", "body": "Hi."},
                )
                assert posted.status in (201, 202), posted
                assert posted.seconds < 2.0
            finally:
                for conn in held:
                    conn.close()


def test_two_workers_without_a_shared_cache_never_answer_stale(tmp_path, site):
    with contextlib.closing(sqlite3.connect(tmp_path / "db.sqlite3")) as db, db:
        db.execute(
            "UPDATE comments_moderationpolicy SET default_status = 'approved', "
            "approved_comments_required = 0, flood_interval_seconds = 0"
        )
    with gunicorn(site, tmp_path / "gunicorn.log", workers=2) as port:
        base = f"http://127.0.0.1:{port}"
        slug = fetch("GET", f"{base}/api/v1/articles/").json()["results"][0]["slug"]
        detail = f"{base}/api/v1/articles/{slug}/"
        before = {fetch("GET", detail).json()["comment_count"] for _ in range(12)}
        assert len(before) == 1
        (count_before,) = before

        posted = fetch(
            "POST",
            f"{base}/api/v1/articles/{slug}/comments/",
            {"author_name": "Ann", "author_email": "ann@example.com", "body": "First!"},
        )
        assert posted.status == 201, posted

        seen = [fetch("GET", detail).json()["comment_count"] for _ in range(20)]
        assert seen == [count_before + 1] * 20, seen
        listed = {len(fetch("GET", detail + "comments/").json()["results"]) for _ in range(10)}
        assert listed == {count_before + 1}


def test_gunicorn_trusts_forwarding_headers_only_with_a_trusted_proxy(tmp_path, site):
    forged = {"X-Forwarded-Proto": "https", "SCRIPT_NAME": "/elsewhere"}
    with gunicorn(site, tmp_path / "gunicorn.log", workers=1) as port:
        answer = fetch("GET", f"http://127.0.0.1:{port}/api/v1/articles/", headers=forged)
        assert answer.status == 200, answer
        url = answer.json()["results"][0]["url"]
        assert url.startswith(f"http://127.0.0.1:{port}/api/v1/articles/"), url

    trusted = {**site, "TRUSTED_PROXY_COUNT": "1"}
    with gunicorn(trusted, tmp_path / "gunicorn-proxied.log", workers=1) as port:
        answer = fetch("GET", f"http://127.0.0.1:{port}/api/v1/articles/", headers=forged)
        assert answer.status == 200, answer
        assert answer.json()["results"][0]["url"].startswith("https://"), answer.text[:300]


def test_concurrent_posts_on_sqlite_are_never_answered_503(tmp_path, site):
    """The embedded default under write load: two workers posting at once used to meet
    "database is locked" at once (a deferred transaction cannot upgrade its lock while
    another writer waits), half of the posts answered 503. Immediate transactions wait
    for the lock instead (issue #15)."""
    from concurrent.futures import ThreadPoolExecutor

    with contextlib.closing(sqlite3.connect(tmp_path / "db.sqlite3")) as db, db:
        db.execute(
            "UPDATE comments_moderationpolicy SET flood_interval_seconds = 0, "
            "default_status = 'approved', approved_comments_required = 0"
        )
    env = {**site, "THROTTLE_COMMENT_POST": "100000/minute"}
    with gunicorn(env, tmp_path / "gunicorn.log", workers=2) as port:
        base = f"http://127.0.0.1:{port}"
        slug = fetch("GET", f"{base}/api/v1/articles/").json()["results"][0]["slug"]

        def post(number: int) -> int:
            return fetch(
                "POST",
                f"{base}/api/v1/articles/{slug}/comments/",
                {
                    "author_name": f"Reader {number}",
                    "author_email": f"reader{number}@example.com",
                    "body": f"Comment number {number}.",
                },
            ).status

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(post, range(80)))

    assert sorted(set(statuses)) == [201], statuses
    with contextlib.closing(sqlite3.connect(tmp_path / "db.sqlite3")) as db:
        assert db.execute("SELECT count(*) FROM comments_comment").fetchone()[0] == 80
