"""Several app nodes (docs/deployment.md): two gunicorn servers, separate OS
processes as two machines would run them, sharing one PostgreSQL database and one Redis.
Nothing a request leaves behind may stay in the process that served it: throttles,
flood gates, sessions, login lockouts, the response cache and the task queue are seen
by the other node at once.

They need PostgreSQL and Redis (CI's second run sets DATABASE_URL and REDIS_URL) and
are skipped, saying so, when either is not configured or does not answer. The servers
start once for the module, against a database of their own (`<test database>_nodes`),
and every test uses client addresses and emails of its own (TRUSTED_PROXY_COUNT=1:
X-Forwarded-For names the client, as a load balancer would).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import subprocess
import sys
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.security.helpers import (
    BIN,
    PROJECT_ROOT,
    fetch,
    free_port,
    manage,
    production_env,
    stop,
    wait_listening,
)

pytestmark = pytest.mark.slow

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
STAFF_PASSWORD = secrets.token_urlsafe(16)
POST_RATE = 4  # THROTTLE_COMMENT_POST for the nodes, per minute
LOGIN_FAILURES = 3  # AXES_FAILURE_LIMIT

SETUP = """
from comments.models import ModerationPolicy
from tests.factories import ArticleFactory, StaffUserFactory
# Published at once (the response-cache test reads it back), no new-commenter hold.
policy = ModerationPolicy.load()
policy.default_status, policy.approved_comments_required = "approved", 0
policy.save()  # save() also forgets any cached copy
ArticleFactory(slug="shared-story", title="Shared story")
StaffUserFactory(username="editor", password={password!r})
StaffUserFactory(username="victim", password={password!r})
"""


# --- the deploy check: a cache local to each process is worth a warning ---------------------


def _deploy_warnings() -> list[str]:
    from django.core import checks

    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.caches])
    return [message.id for message in found]


LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://r/0"}}


@pytest.mark.parametrize(
    ("debug", "caches", "warned"),
    [(False, LOCAL, True), (False, REDIS, False), (True, LOCAL, False)],
)
def test_the_deploy_check_warns_of_a_process_local_cache_in_production(
    settings, debug, caches, warned
):
    settings.DEBUG, settings.CACHES = debug, caches
    assert ("plumbing.W001" in _deploy_warnings()) is warned


def test_check_deploy_without_redis_names_the_variables(tmp_path):
    env = production_env(tmp_path)  # no REDIS_URL
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr  # a warning, not an error
    assert "plumbing.W001" in result.stderr + result.stdout
    assert "REDIS_URL" in result.stderr + result.stdout


# --- two nodes ------------------------------------------------------------------------------


def _services_or_skip() -> tuple[str, str]:
    """The nodes' own database URL, after checking PostgreSQL and Redis answer."""
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")) or not REDIS_URL:
        pytest.skip("multi-node tests need DATABASE_URL (PostgreSQL) and REDIS_URL set")
    import psycopg
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"multi-node tests: Redis at {REDIS_URL} does not answer ({exc})")
    url = urllib.parse.urlsplit(DATABASE_URL)
    name = f"{url.path.lstrip('/') or 'cms'}_nodes"
    admin = url._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.skip(f"multi-node tests: PostgreSQL does not answer ({exc})")
    return name, url._replace(path=f"/{name}").geturl()


def _manage(*args: str, env: dict[str, str]) -> str:
    return manage(*args, env=env, timeout=180)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two nodes, A and B, one gunicorn worker each; yields (env, base URL A, base URL B)."""
    name, database_url = _services_or_skip()
    tmp = tmp_path_factory.mktemp("nodes")
    env = production_env(
        tmp,
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX=f"nodes-{secrets.token_hex(4)}",
        TASKS_BACKEND="database",
        TRUSTED_PROXY_COUNT="1",
        THROTTLE_COMMENT_POST=f"{POST_RATE}/minute",
        AXES_FAILURE_LIMIT=str(LOGIN_FAILURES),
        COMMENTS_DEFAULT_STATUS="approved",
        COMMENTS_FLOOD_INTERVAL_SECONDS="60",
        DJANGO_SESSION_COOKIE_SECURE="false",
        DJANGO_CSRF_COOKIE_SECURE="false",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        DJANGO_STATIC_ROOT=str(tmp / "static"),
    )
    # Every node has the same secret key, as production requires (sessions are signed).
    _manage("migrate", "--noinput", env=env)
    _manage("collectstatic", "--noinput", env=env)  # the admin's pages need the manifest
    _manage("shell", "-c", SETUP.format(password=STAFF_PASSWORD), env=env)
    servers, bases = [], []
    try:
        for node in ("a", "b"):
            port = free_port()
            log = tmp / f"node-{node}.log"
            command = [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "cms.wsgi"]
            command += ["--no-control-socket", "--error-logfile=-"]
            node_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"}
            with log.open("w") as output:
                server = subprocess.Popen(
                    command, cwd=PROJECT_ROOT, env=node_env, stdout=output, stderr=output
                )
            servers.append(server)
            wait_listening(port, server, log, f"node {node}")
            bases.append(f"http://127.0.0.1:{port}")
        assert servers[0].pid != servers[1].pid
        yield env, bases[0], bases[1]
    finally:
        for server in servers:
            stop(server)
        _drop_database(name)


def _drop_database(name: str) -> None:
    import psycopg

    admin = urllib.parse.urlsplit(DATABASE_URL)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _client(ip: str) -> dict[str, str]:
    return {"X-Forwarded-For": ip}


def _comment(base: str, ip: str, email: str, body: str):
    return fetch(
        "POST",
        f"{base}/api/v1/articles/shared-story/comments/",
        {"author_name": "Reader", "author_email": email, "body": body},
        headers=_client(ip),
    )


def test_the_comment_throttle_counts_requests_on_every_node(cluster):
    _, a, b = cluster
    ip = "203.0.113.10"
    # Invalid posts (no body) are answered 400 after the throttle counted them: no
    # comment is stored, so no flood gate closes in between.
    answers = [
        fetch("POST", f"{node}/api/v1/articles/shared-story/comments/", {}, headers=_client(ip))
        for node in [a, b] * (POST_RATE // 2)
    ]
    assert [answer.status for answer in answers] == [400] * POST_RATE

    over = fetch("POST", f"{a}/api/v1/articles/shared-story/comments/", {}, headers=_client(ip))
    also_over = fetch(
        "POST", f"{b}/api/v1/articles/shared-story/comments/", {}, headers=_client(ip)
    )

    assert (over.status, also_over.status) == (429, 429)
    elsewhere = fetch(
        "POST", f"{b}/api/v1/articles/shared-story/comments/", {}, headers=_client("203.0.113.11")
    )
    assert elsewhere.status == 400


def test_a_flood_gate_closed_on_one_node_holds_on_the_other(cluster):
    _, a, b = cluster
    first = _comment(a, "203.0.113.20", "flood@example.com", "First words.")
    assert first.status == 201, first.text

    again = _comment(b, "203.0.113.21", "flood@example.com", "Second words.")

    assert again.status == 429, again.text
    assert "too fast" in again.text


def test_simultaneous_posts_through_both_nodes_pass_the_flood_gate_once(cluster):
    # Neither request can see the other's comment in the database before it commits:
    # only the gate in the shared cache lets exactly one through.
    _, a, b = cluster
    email = "together@example.com"
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(
            pool.map(
                lambda args: _comment(*args),
                [
                    (a, "203.0.113.30", email, "Said on node A."),
                    (b, "203.0.113.31", email, "Said on node B."),
                ],
            )
        )

    assert sorted(answer.status for answer in answers) == [201, 429], [a.text for a in answers]


class _Browser:
    """A cookie jar and a CSRF token: what a browser carries from one node to the next."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects()
        )

    def get(self, url: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(url))

    def login(self, base: str, username: str, password: str, *, form_from: str = "") -> int:
        """Post the admin's login form to `base`, the form (and its CSRF token) got from
        `form_from` (the same node unless said)."""
        status, form = self.get(f"{form_from or base}/admin/login/")
        assert "csrfmiddlewaretoken" in form, (status, form[:500])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": password}
        ).encode()
        request = urllib.request.Request(f"{base}/admin/login/?next=/admin/", data=data)
        request.add_header("Referer", f"{base}/admin/login/")
        status, _ = self._open(request)
        return status

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_staff_session_opened_on_one_node_works_on_the_other(cluster):
    _, a, b = cluster
    browser = _Browser()
    assert browser.get(f"{b}/api/v1/moderation/comments/")[0] == 403

    # The form from B, posted to A: the CSRF token of one node is good on the other.
    assert browser.login(a, "editor", STAFF_PASSWORD, form_from=b) == 302
    # One cookie jar: cookies are per host, not per port, as behind one load balancer.

    status, body = browser.get(f"{b}/api/v1/moderation/comments/")
    assert status == 200, body
    assert browser.get(f"{b}/admin/")[0] == 200


def test_login_failures_on_both_nodes_add_up_to_one_lockout(cluster):
    # axes counts failures in the database: A, B, A is the third failure, and locks.
    _, a, b = cluster
    nodes = [a, b] * LOGIN_FAILURES
    for node in nodes[: LOGIN_FAILURES - 1]:
        assert _Browser().login(node, "victim", "wrong password") == 200  # the form again
    assert _Browser().login(nodes[LOGIN_FAILURES - 1], "victim", "wrong password") == 429

    # The right password is refused on either node while the lockout lasts.
    assert _Browser().login(b, "victim", STAFF_PASSWORD) == 429
    assert _Browser().login(a, "victim", STAFF_PASSWORD) == 429


def test_a_write_on_one_node_invalidates_the_other_nodes_cached_reads(cluster):
    _, a, b = cluster
    thread = f"{b}/api/v1/articles/shared-story/comments/"
    before = fetch("GET", thread)
    assert before.status == 200
    assert fetch("GET", thread).text == before.text  # served again, from the cache

    posted = _comment(a, "203.0.113.40", "fresh@example.com", "News from node A.")
    assert posted.status == 201, posted.text

    after = fetch("GET", thread)
    assert "News from node A." in after.text
    assert "News from node A." not in before.text


SET_LINK_LIMIT = """
from comments.models import ModerationPolicy
policy = ModerationPolicy.load()
policy.hold_link_count = {limit}
policy.save()
"""


def test_a_policy_change_made_in_another_process_applies_on_the_nodes_at_once(cluster):
    # The policy row is cached in Redis (plumbing/shared_cache.py); staff change it from
    # any process (here a `manage.py shell`), and its save() must reach every node.
    env, a, b = cluster
    one_link = "More at https://example.org/notes for anyone curious."
    before = _comment(b, "203.0.113.60", "policy-1@example.com", one_link)
    assert before.status == 201, before.text  # one link, under the default limit of 2

    _manage("shell", "-c", SET_LINK_LIMIT.format(limit=1), env=env)
    try:
        after = _comment(b, "203.0.113.61", "policy-2@example.com", one_link)
        also = _comment(a, "203.0.113.62", "policy-3@example.com", one_link)
    finally:
        _manage("shell", "-c", SET_LINK_LIMIT.format(limit=2), env=env)

    assert (after.status, also.status) == (202, 202), (after.text, also.text)  # held


def test_a_task_queued_by_a_node_is_run_by_a_worker_process(cluster):
    env, a, b = cluster
    email = "asks@example.com"
    assert _comment(a, "203.0.113.50", email, "Something to export later.").status == 201
    asked = fetch(
        "POST",
        f"{b}/api/v1/privacy/requests/",
        {"email": email, "kind": "export"},
        headers=_client("203.0.113.51"),
    )
    assert asked.status in (200, 202), asked.text

    output = _manage("db_worker", "--batch", "--no-startup-delay", env=env)

    assert f"To: {email}" in output
