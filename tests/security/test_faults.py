"""Faults: what readers and operators see when a backing service fails.

- The database cannot be reached: a real gunicorn (DEBUG off) pointed at a closed port
  answers /healthz 503 and every API request 503 JSON with Retry-After, never a 500
  page or a traceback.
- Redis cannot be reached: a real gunicorn on a migrated SQLite database keeps serving
  reads, reports the cache in /healthz, and still enforces the flood interval from the
  database, at a normal speed.
- A custom moderation step that crashes (or whose query fails) holds the comment as
  pending: the comment is neither lost nor answered with a 500.

These run on every CI leg: the servers are subprocesses with their own environment.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import DatabaseError, connection

from articles.models import Article
from comments.models import Comment, ModerationPolicy
from tests.factories import ArticleFactory
from tests.security.helpers import (
    BIN,
    PROJECT_ROOT,
    Answer,
    fetch,
    free_port,
    production_env,
    stop,
    wait_listening,
)

CLOSED_PORT = 1  # nothing listens on 127.0.0.1:1
FAST_ENOUGH = 5.0  # seconds: the 1 s socket timeouts, not a hang
# What must never reach a client, whatever fails behind the server.
LEAKS = ("Traceback", 'File "', "OperationalError", "psycopg", "port 1 failed", "Redis")


# --- a real server in a subprocess --------------------------------------------------


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[str]:
    """`gunicorn cms.wsgi` on a free 127.0.0.1 port; yields its base URL."""
    port = free_port()
    command = [
        str(BIN / "gunicorn"),
        "cms.wsgi",
        f"--bind=127.0.0.1:{port}",
        "--workers=1",
        "--threads=4",
        "--timeout=30",
        "--graceful-timeout=2",
        "--no-control-socket",
        "--error-logfile=-",
    ]
    with log.open("w") as output:
        server = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            wait_listening(port, server, log, "gunicorn")
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(server)


def assert_no_leak(answer: Answer, what: str) -> None:
    for leak in LEAKS:
        assert leak not in answer.text, f"{what}: {leak!r} in the answer:\n{answer.text[:2000]}"


def comment_payload(**fields) -> dict[str, str]:
    return {
        "author_name": "Dana Reader",
        "author_email": "dana@readers.example",
        "body": "Interesting article.",
        **fields,
    }


# --- the database cannot be reached -------------------------------------------------


@pytest.mark.slow
def test_database_unreachable_answers_503_json_without_traceback(tmp_path):
    env = production_env(
        tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:{CLOSED_PORT}/nothing"
    )
    with gunicorn(env, tmp_path / "gunicorn.log") as base:
        health = fetch("GET", f"{base}/healthz")
        assert health.status == 503, health
        assert health.json()["database"] == "unavailable"
        assert health.json()["status"] == "unavailable"
        assert_no_leak(health, "/healthz")

        token = {"Authorization": "Token " + "0" * 40}
        basic = {"Authorization": "Basic c3RhZmY6cGFzc3dvcmQ="}  # staff:password
        session = {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"}
        api_requests = [
            ("GET", "/api/v1/articles/", None, {}),
            ("GET", "/api/v1/articles/", None, basic),  # authenticating needs the database
            ("GET", "/api/v1/articles/?category=tech-industry&ordering=-comment_count", None, {}),
            ("GET", "/api/v1/articles/some-article/", None, {}),
            ("GET", "/api/v1/articles/some-article/comments/", None, {}),
            ("GET", "/api/v1/categories/", None, {}),
            ("GET", "/api/v1/categories/technology/", None, {}),
            ("GET", "/api/v1/tags/", None, {}),
            ("POST", "/api/v1/articles/some-article/comments/", comment_payload(), {}),
            ("POST", "/api/v1/comments/1/flag/", {"reason": "spam"}, {}),
            ("PATCH", "/api/v1/comments/1/", {"body": "edited"}, {"X-Edit-Token": "x.y.z"}),
            ("POST", "/api/v1/privacy/requests/", {"email": "a@b.example", "kind": "export"}, {}),
            ("GET", "/api/v1/moderation/comments/", None, token),
            ("GET", "/api/v1/moderation/comments/", None, session),
            (
                "POST",
                "/api/v1/moderation/comments/bulk/",
                {"ids": [1], "status": "approved"},
                token,
            ),
        ]
        for method, path, payload, headers in api_requests:
            answer = fetch(method, base + path, payload, headers)
            what = f"{method} {path} {sorted(headers)}"
            assert answer.status == 503, (what, answer)
            assert answer.header("Content-Type") == "application/json", (what, answer)
            assert answer.json()["detail"], (what, answer)
            assert int(answer.header("Retry-After")) > 0, (what, answer)
            assert_no_leak(answer, what)
            assert answer.seconds < FAST_ENOUGH, (what, answer.seconds)

        # Outside the API: plain text, still 503 with Retry-After and no traceback.
        for path in ("/feeds/articles/", "/feeds/articles/some-article/comments/", "/sitemap.xml"):
            answer = fetch("GET", base + path)
            assert answer.status == 503, (path, answer)
            assert int(answer.header("Retry-After")) > 0, (path, answer)
            assert_no_leak(answer, path)

    # The operator learns what happened from the log, which names the failure.
    assert "Database unavailable" in (tmp_path / "gunicorn.log").read_text()


# --- Redis cannot be reached --------------------------------------------------------


@pytest.fixture(params=["refused", "hung"])
def unreachable_redis(request) -> Iterator[str]:
    """A Redis URL nobody answers: a closed port (connection refused at once), or a
    socket that accepts connections into its backlog and never replies (a hung server or
    a dropped network: every command waits for the 1 s socket timeout)."""
    if request.param == "refused":
        yield f"redis://127.0.0.1:{CLOSED_PORT}/0"
        return
    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(128)
        yield f"redis://127.0.0.1:{hole.getsockname()[1]}/0"


@pytest.mark.slow
def test_redis_unreachable_keeps_reads_and_database_flood_check(
    tmp_path, demo_database, unreachable_redis
):
    shutil.copyfile(demo_database, tmp_path / "db.sqlite3")
    env = production_env(tmp_path, REDIS_URL=unreachable_redis)

    with gunicorn(env, tmp_path / "gunicorn.log") as base:
        # The worker's first request imports the URLconf and every view (about 2 s): not
        # what this test measures.
        assert fetch("GET", f"{base}/api/v1/tags/").status == 200
        answers: list[tuple[str, Answer]] = []

        def call(method: str, path: str, payload=None) -> Answer:
            answer = fetch(method, base + path, payload)
            answers.append((f"{method} {path}", answer))
            assert_no_leak(answer, path)
            return answer

        health = call("GET", "/healthz")
        assert health.status == 200, health
        assert health.json() == {"status": "ok", "database": "ok", "cache": "unavailable"}

        listing = call("GET", "/api/v1/articles/")
        assert listing.status == 200, listing
        assert listing.json()["count"] > 0
        slug = listing.json()["results"][0]["slug"]
        assert call("GET", f"/api/v1/articles/{slug}/").status == 200
        assert call("GET", f"/api/v1/articles/{slug}/comments/").status == 200
        assert call("GET", "/api/v1/categories/").status == 200

        # Posting still works, and the flood interval is enforced by the database.
        first = call("POST", f"/api/v1/articles/{slug}/comments/", comment_payload())
        assert first.status == 202, first
        assert first.json()["status"] == "pending"
        second = call(
            "POST", f"/api/v1/articles/{slug}/comments/", comment_payload(body="And another.")
        )
        assert second.status == 429, second
        assert int(second.header("Retry-After")) > 0
        assert second.json()["detail"]
        # Another email from the same IP is the same client for the flood check.
        third = call(
            "POST",
            f"/api/v1/articles/{slug}/comments/",
            comment_payload(author_email="other@readers.example", body="Me too."),
        )
        assert third.status == 429, third

        # A degraded cache costs at most its socket timeouts, not a hang.
        slow = [(what, round(a.seconds, 2)) for what, a in answers if a.seconds >= FAST_ENOUGH]
        assert not slow, slow
        print("\n" + "\n".join(f"{a.seconds:.3f} s  {a.status}  {what}" for what, a in answers))

    with contextlib.closing(sqlite3.connect(tmp_path / "db.sqlite3")) as db:
        stored = db.execute("SELECT status, body FROM comments_comment").fetchall()
    assert stored == [("pending", "Interesting article.")]


# --- a crashing moderation step -----------------------------------------------------


def exploding_step(submission):
    raise RuntimeError("the spam filter's service is down")


def failing_query_step(submission):
    # A plug-in whose SQL fails: on PostgreSQL this aborts the transaction it runs in.
    with connection.cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM no_such_table_for_this_step")
    return None


def database_error_step(submission):
    raise DatabaseError("the plug-in's own database is gone")


@pytest.mark.django_db
@pytest.mark.parametrize("step", ["exploding_step", "failing_query_step", "database_error_step"])
def test_a_crashing_moderation_step_holds_the_comment(api_client, settings, caplog, step):
    settings.COMMENTS_EXTRA_MODERATION_STEPS = [f"tests.security.test_faults.{step}"]
    policy = ModerationPolicy.load()
    policy.default_status = "approved"  # the crash must hold it, not the policy
    policy.approved_comments_required = 0  # nor the new-commenter rule, which runs earlier
    policy.save()
    article = ArticleFactory()

    response = api_client.post(
        f"/api/v1/articles/{article.slug}/comments/", comment_payload(), format="json"
    )

    assert response.status_code == 202, response.content
    assert response.json()["status"] == "pending"
    comment = Comment.objects.get(pk=response.json()["id"])
    assert comment.status == Comment.Status.PENDING
    assert not comment.is_listed
    assert comment.body == "Interesting article."
    assert Article.objects.get(pk=article.pk).comment_count == 0
    assert f"tests.security.test_faults.{step}" in caplog.text
    # The transaction is still usable after the failed step (PostgreSQL aborts it
    # unless the step ran in a savepoint): later queries in the request worked, and
    # so do ours.
    assert Comment.objects.filter(article=article).count() == 1
    listed = api_client.get(f"/api/v1/articles/{article.slug}/comments/")
    assert listed.status_code == 200
    assert listed.json()["results"] == []
