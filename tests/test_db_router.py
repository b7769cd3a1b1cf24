"""Read replicas (plumbing/db_routing.py): public reads go to a healthy replica; writes,
staff, a reader who just wrote, reads inside a transaction and everything outside a
request go to the primary; a replica down or lagging is skipped; /healthz lists each
database.

The replica here is a stub: `replica_1` is the default connection under another name,
so its reads see the same rows (what TEST MIRROR does for a real one) and the tests see
which alias the router chose. Request tests use `transaction=True`: inside the test
case's own transaction every read rightly goes to the primary."""

import copy
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.db import OperationalError, connections, router, transaction
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.models import Article
from plumbing import db_routing
from tests.comments.helpers import comments_url
from tests.factories import ArticleFactory, StaffUserFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def replicas(settings, monkeypatch):
    """Two stub replicas, both healthy unless a test says otherwise."""
    settings.DATABASE_REPLICAS = ["replica_1", "replica_2"]
    settings.DATABASE_ROUTERS = ["plumbing.db_routing.ReplicaRouter"]
    connections["replica_1"] = connections["default"]
    connections["replica_2"] = connections["default"]
    verdicts = {"replica_1": True, "replica_2": True}

    def probe(alias):
        return db_routing.ReplicaHealth(alias, verdicts[alias], 0.0, 0.0)

    monkeypatch.setattr(db_routing, "probe", probe)
    db_routing.forget_health()
    yield verdicts
    db_routing.forget_health()
    del connections["replica_1"]
    del connections["replica_2"]


@pytest.fixture
def reads(replicas, monkeypatch):
    """Every alias the router chose for a read, in order."""
    chosen = []
    original = db_routing.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        alias = original(self, model, **hints)
        chosen.append(alias)
        return alias

    monkeypatch.setattr(db_routing.ReplicaRouter, "db_for_read", spy)
    return chosen


# -- the router's decisions -----------------------------------------------------------


def test_reads_outside_a_request_go_to_the_primary(replicas):
    # Tasks, commands and the shell: a task queued after a commit finds its row.
    assert Article.objects.all().db == "default"


def test_public_reads_go_to_the_replicas_in_turn(replicas):
    with db_routing.replica_reads():
        chosen = {Article.objects.all().db for _ in range(4)}
    assert chosen == {"replica_1", "replica_2"}


def test_writes_go_to_the_primary(replicas):
    with db_routing.replica_reads():
        assert router.db_for_write(Article) == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_go_to_the_primary(replicas):
    with db_routing.replica_reads():
        assert Article.objects.all().db != "default"
        with transaction.atomic():
            assert Article.objects.all().db == "default"


def test_primary_reads_overrides_a_public_read(replicas):
    with db_routing.replica_reads(), db_routing.primary_reads():
        assert Article.objects.all().db == "default"


def test_an_unhealthy_replica_is_skipped(replicas):
    replicas["replica_1"] = False
    with db_routing.replica_reads():
        assert {Article.objects.all().db for _ in range(4)} == {"replica_2"}


def test_with_every_replica_down_reads_fall_back_to_the_primary(replicas):
    replicas["replica_1"] = replicas["replica_2"] = False
    with db_routing.replica_reads():
        assert Article.objects.all().db == "default"


def test_a_verdict_is_kept_for_the_check_interval(replicas, monkeypatch):
    monkeypatch.setattr(db_routing, "CHECK_SECONDS", 60)
    probes = []

    def probe(alias):
        probes.append(alias)
        return db_routing.ReplicaHealth(alias, True, 0.0, time.monotonic())

    monkeypatch.setattr(db_routing, "probe", probe)
    with db_routing.replica_reads():
        for _ in range(10):
            Article.objects.all().db  # noqa: B018 (asks the router)
    assert sorted(probes) == ["replica_1", "replica_2"]


def test_migrate_writes_to_the_primary_only():
    router = db_routing.ReplicaRouter()
    assert router.allow_migrate("default", "articles")
    assert not router.allow_migrate("replica_1", "articles")


# -- the health probe -----------------------------------------------------------------


class FakeCursor:
    def __init__(self, value, error):
        self.value, self.error = value, error

    def __enter__(self):
        if self.error:
            raise self.error
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, sql):
        self.sql = sql

    def fetchone(self):
        return (self.value,)


class FakeConnection:
    vendor = "postgresql"

    def __init__(self, value=None, error=None):
        self.value, self.error = value, error

    def cursor(self):
        return FakeCursor(self.value, self.error)


@pytest.mark.parametrize(
    ("connection", "ok", "lag"),
    [
        (FakeConnection(value=0.5), True, 0.5),
        (FakeConnection(value=None), True, None),  # not a standby: nothing to lag
        (FakeConnection(value=30.0), False, 30.0),  # beyond DATABASE_REPLICA_MAX_LAG_SECONDS
        (FakeConnection(error=OperationalError("could not connect")), False, None),
    ],
)
def test_probe_judges_reachability_and_lag(connection, ok, lag, settings, monkeypatch):
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 2
    monkeypatch.setattr(db_routing, "connections", {"replica_1": connection})
    health = db_routing.probe("replica_1")
    assert (health.ok, health.lag) == (ok, lag)


@pytest.mark.django_db
def test_probe_of_a_real_connection_answers():
    # The primary itself: SQLite answers SELECT 1; PostgreSQL's lag query is NULL there.
    health = db_routing.probe("default")
    assert health.ok and health.lag is None


# -- requests ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_public_read_goes_to_a_replica(reads, settings):
    settings.API_RESPONSE_CACHE = False
    ArticleFactory()
    reads.clear()
    response = APIClient().get("/api/v1/articles/")
    assert response.status_code == 200 and response.json()["count"] == 1
    assert reads and set(reads) <= {"replica_1", "replica_2"}


@pytest.mark.django_db(transaction=True)
def test_a_read_the_response_cache_keeps_is_built_from_the_primary(reads, response_cache_on):
    ArticleFactory()
    reads.clear()
    assert APIClient().get("/api/v1/articles/").status_code == 200
    assert reads and set(reads) == {"default"}


@pytest.mark.django_db(transaction=True)
def test_an_uncached_public_page_goes_to_a_replica(reads, response_cache_on):
    ArticleFactory()
    reads.clear()
    assert APIClient().get("/feeds/articles/").status_code == 200
    assert reads and set(reads) <= {"replica_1", "replica_2"}


@pytest.mark.django_db(transaction=True)
def test_a_comment_post_reads_the_primary_and_pins_the_reader(reads, settings):
    settings.API_RESPONSE_CACHE = False
    settings.DATABASE_PIN_SECONDS = 7
    article = ArticleFactory()
    reads.clear()
    client = APIClient()
    body = {"author_name": "Ada", "author_email": "ada@example.com", "body": "A remark."}
    response = client.post(comments_url(article), body, format="json")

    assert response.status_code in (201, 202), response.content
    # The moderation pipeline's checks (flood, duplicates, history) read the primary.
    assert set(reads) <= {"default"}
    pin = response.cookies[db_routing.PIN_COOKIE]
    assert pin["max-age"] == 7
    assert pin["httponly"] is True
    assert pin["samesite"] == "Lax"
    assert pin["path"] == "/"

    # The reader's next read comes from the primary: they see their own comment.
    reads.clear()
    assert client.get(comments_url(article)).status_code == 200
    assert reads and set(reads) == {"default"}


@pytest.mark.django_db(transaction=True)
def test_a_refused_post_does_not_pin(reads, settings):
    article = ArticleFactory()
    reads.clear()
    response = APIClient().post(comments_url(article), {"body": ""}, format="json")
    assert response.status_code == 400
    assert db_routing.PIN_COOKIE not in response.cookies


@pytest.mark.django_db(transaction=True)
def test_a_pinned_reader_reads_the_primary(reads, settings):
    settings.API_RESPONSE_CACHE = False
    ArticleFactory()
    reads.clear()
    client = APIClient()
    client.cookies[db_routing.PIN_COOKIE] = "1"
    assert client.get("/api/v1/articles/").status_code == 200
    assert reads and set(reads) == {"default"}


@pytest.mark.django_db(transaction=True)
def test_staff_signed_in_by_session_read_the_primary(reads, settings):
    settings.API_RESPONSE_CACHE = False
    ArticleFactory()
    reads.clear()
    client = APIClient()
    client.force_login(StaffUserFactory())
    reads.clear()
    assert client.get("/api/v1/articles/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert reads and set(reads) == {"default"}


@pytest.mark.django_db(transaction=True)
def test_the_staff_api_reads_the_primary(reads):
    token = Token.objects.create(user=StaffUserFactory())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    reads.clear()
    assert client.get("/api/v1/moderation/comments/").status_code == 200
    assert reads and set(reads) == {"default"}


# -- /healthz ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_lists_each_database(replicas):
    replicas["replica_2"] = False
    response = APIClient().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["databases"] == [
        {"name": "default", "role": "primary", "ok": True, "lag": None},
        {"name": "replica_1", "role": "replica", "ok": True, "lag": 0.0},
        {"name": "replica_2", "role": "replica", "ok": False, "lag": 0.0},
    ]


@pytest.mark.django_db
def test_healthz_keeps_its_shape_without_replicas():
    assert APIClient().get("/healthz").json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
    }


# -- without replicas: no cost ----------------------------------------------------------


def test_without_replicas_there_is_no_router_and_no_middleware(settings):
    assert settings.DATABASE_REPLICAS == []
    assert settings.DATABASE_ROUTERS == []
    with pytest.raises(MiddlewareNotUsed):
        db_routing.ReadReplicaMiddleware(lambda request: None)


def test_replica_urls_become_mirrored_aliases_and_a_router(tmp_path):
    env = {
        **os.environ,
        "DJANGO_ENV_FILE": str(tmp_path / "none.env"),
        "DJANGO_VAR_DIR": str(tmp_path),
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": "postgres://cms:secret@primary:5432/cms",
        "DATABASE_REPLICA_URLS": "postgres://reader:pw@replica-a/cms, postgres://reader:pw@replica-b/cms",
        "DATABASE_PIN_SECONDS": "9",
    }
    script = (
        "import json; from cms import settings as s; print(json.dumps({"
        "'aliases': list(s.DATABASES), 'replicas': s.DATABASE_REPLICAS,"
        " 'routers': s.DATABASE_ROUTERS, 'pin': s.DATABASE_PIN_SECONDS,"
        " 'hosts': [s.DATABASES[a]['HOST'] for a in s.DATABASE_REPLICAS],"
        " 'mirrors': [s.DATABASES[a]['TEST'] for a in s.DATABASE_REPLICAS]}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    assert found == {
        "aliases": ["default", "replica_1", "replica_2"],
        "replicas": ["replica_1", "replica_2"],
        "routers": ["plumbing.db_routing.ReplicaRouter"],
        "pin": 9,
        "hosts": ["replica-a", "replica-b"],
        "mirrors": [{"MIRROR": "default"}, {"MIRROR": "default"}],
    }


@pytest.fixture
def mirrored_replica(settings):
    """replica_1 as its own connection to the test database (what TEST MIRROR makes of
    a configured replica), probed for real."""
    primary = connections["default"].settings_dict
    backend = load_backend(primary["ENGINE"])
    connections["replica_1"] = backend.DatabaseWrapper(copy.deepcopy(primary), "replica_1")
    settings.DATABASE_REPLICAS = ["replica_1"]
    settings.DATABASE_ROUTERS = ["plumbing.db_routing.ReplicaRouter"]
    db_routing.forget_health()
    yield connections["replica_1"]
    db_routing.forget_health()
    connections["replica_1"].close()
    del connections["replica_1"]


@pytest.mark.django_db(transaction=True)
def test_a_public_read_runs_on_the_replica_connection(mirrored_replica, settings):
    settings.API_RESPONSE_CACHE = False
    ArticleFactory(title="Seen through the replica")
    with (
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(mirrored_replica) as on_replica,
    ):
        response = APIClient().get("/api/v1/articles/")
    assert response.json()["results"][0]["title"] == "Seen through the replica"
    assert len(on_replica) > 0
    # The article list's tags are read by SQL on `django.db.connection` (the primary):
    # articles/selectors.py, tags_by_article. Everything else ran on the replica.
    on_primary_sql = [q["sql"] for q in on_primary.captured_queries]
    assert all("articles_article_tags" in sql for sql in on_primary_sql), on_primary_sql
    assert db_routing.replica_health("replica_1").ok


@pytest.mark.django_db(transaction=True)
def test_a_post_after_a_public_thread_read_reads_only_the_primary(
    mirrored_replica, settings, monkeypatch
):
    from articles import selectors

    # A compiled statement of this test's own, so no other test meets its alias.
    monkeypatch.setattr(selectors._VISIBLE_BY_SLUG, "_local", threading.local())
    settings.API_RESPONSE_CACHE = False
    article = ArticleFactory()
    client = APIClient()
    assert client.get(comments_url(article)).status_code == 200  # public: the replica
    body = {"author_name": "Ada", "author_email": "ada@example.com", "body": "A remark."}
    with CaptureQueriesContext(mirrored_replica) as on_replica:
        response = client.post(comments_url(article), body, format="json")
    assert response.status_code in (201, 202), response.content
    assert [query["sql"] for query in on_replica.captured_queries] == []


@pytest.mark.django_db(transaction=True)
def test_a_replica_that_falls_between_probes_costs_readers_no_error(
    mirrored_replica, settings, monkeypatch
):
    # Healthy at its last probe, then gone: the read it fails is answered again from the
    # primary (not the 503 of a database down), and the next reads skip it at once.
    settings.API_RESPONSE_CACHE = False
    ArticleFactory(title="Still readable")
    assert db_routing.replica_health("replica_1").ok
    mirrored_replica.close()

    def refused():
        raise OperationalError("connection refused")

    monkeypatch.setattr(mirrored_replica, "ensure_connection", refused)

    first = APIClient().get("/api/v1/articles/")

    assert first.status_code == 200, first.content
    assert first.json()["results"][0]["title"] == "Still readable"
    assert db_routing.replica_health("replica_1").ok is False
    with CaptureQueriesContext(connections["default"]) as on_primary:
        again = APIClient().get("/api/v1/articles/")
    assert again.status_code == 200 and len(on_primary) > 0


@pytest.mark.django_db(transaction=True)
def test_the_primarys_own_failure_is_still_a_503(mirrored_replica, settings, monkeypatch):
    # The replica answers its probe: a read that failed for another reason is not rerun.
    settings.API_RESPONSE_CACHE = False
    ArticleFactory()
    assert db_routing.replica_health("replica_1").ok
    runs = []

    def failing_list(self, request, *args, **kwargs):
        runs.append(1)
        list(Article.objects.all())  # the replica is used...
        raise OperationalError("the primary went away")  # ...and something else failed

    from articles.api.views import ArticleViewSet

    monkeypatch.setattr(ArticleViewSet, "list", failing_list)
    response = APIClient().get("/api/v1/articles/")
    assert response.status_code == 503 and runs == [1]
