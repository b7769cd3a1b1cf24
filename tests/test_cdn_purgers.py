"""The purgers against stub HTTP servers on 127.0.0.1 (this machine has no internet):
the exact requests Varnish (our VCL's contract), Fastly and Cloudflare expect, batching
beyond each one's per-request limit, and the task's retries, giving up, and repeat after
the replicas' lag (plumbing/cdn/, docs/deployment.md)."""

from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django_tasks import default_task_backend

from cms.cdn import cdn_purge_settings
from plumbing.cdn.tasks import RETRY_DELAYS, purge_keys
from tests.factories import ArticleFactory

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class Stub:
    """An HTTP server in a thread recording each request (method, path, headers, body)
    and answering the statuses queued in `answers` (then 200)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[int] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                stub.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers.items()),
                        "body": self.rfile.read(length) if length else b"",
                    }
                )
                status = stub.answers.pop(0) if stub.answers else 200
                body = json.dumps({"success": status == 200}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_PURGE = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stubs():
    made: list[Stub] = []

    def make() -> Stub:
        made.append(Stub())
        return made[-1]

    yield make
    for stub in made:
        stub.close()


@pytest.fixture
def cdn(settings):
    """Configure purgers: cdn(varnish=..., fastly=..., cloudflare=...)."""
    settings.TASKS = DUMMY_TASKS
    settings.CDN_PURGE_TIMEOUT = 2.0
    settings.DATABASE_REPLICAS = []

    def configure(**config):
        settings.CDN_PURGERS = list(config)
        settings.CDN_PURGE = config
        default_task_backend.results.clear()

    return configure


def keys(n: int) -> list[str]:
    return [f"article-{i}" for i in range(n)]


def queued_purges() -> list:
    return [r for r in default_task_backend.results if r.task.name == "purge_keys"]


# --- the requests each CDN documents ---------------------------------------------------


def test_varnish_gets_purge_with_the_keys_header_at_every_url(cdn, stubs):
    first, second = stubs(), stubs()
    cdn(varnish={"urls": [first.url, second.url + "/"]})
    assert purge_keys.call(["thread-3", "article-3"]) == {
        "purged": ["varnish"],
        "retrying": [],
        "given_up": [],
    }
    for stub in (first, second):
        [request] = stub.requests
        assert request["method"] == "PURGE"
        assert request["path"] == "/"
        assert request["headers"]["X-Purge-Keys"] == "article-3 thread-3"


def test_varnish_takes_at_most_100_keys_a_request(cdn, stubs):
    stub = stubs()
    cdn(varnish={"urls": [stub.url]})
    purge_keys.call(keys(250))
    sent = [request["headers"]["X-Purge-Keys"].split(" ") for request in stub.requests]
    assert [len(batch) for batch in sent] == [100, 100, 50]
    assert sorted(key for batch in sent for key in batch) == sorted(keys(250))


def test_fastly_gets_its_batch_surrogate_key_purge(cdn, stubs):
    stub = stubs()
    cdn(fastly={"service_id": "SU1Z0isxPaozGVKXdv0eY", "api_token": "tok", "api_url": stub.url})
    purge_keys.call(keys(300))
    assert [request["method"] for request in stub.requests] == ["POST", "POST"]
    assert {request["path"] for request in stub.requests} == {
        "/service/SU1Z0isxPaozGVKXdv0eY/purge"
    }
    for request in stub.requests:
        assert request["headers"]["Fastly-Key"] == "tok"
        assert "Fastly-Soft-Purge" not in request["headers"]
    sent = [request["headers"]["Surrogate-Key"].split(" ") for request in stub.requests]
    assert [len(batch) for batch in sent] == [256, 44]  # the API's limit: 256 a request
    assert sorted(key for batch in sent for key in batch) == sorted(keys(300))


def test_fastly_soft_purge_when_asked(cdn, stubs):
    stub = stubs()
    config = {"service_id": "svc", "api_token": "tok", "api_url": stub.url, "soft": True}
    cdn(fastly=config)
    purge_keys.call(["articles"])
    assert stub.requests[0]["headers"]["Fastly-Soft-Purge"] == "1"


def test_cloudflare_gets_purge_cache_with_the_tags_in_json(cdn, stubs):
    stub = stubs()
    cdn(
        cloudflare={
            "zone_id": "023e105f4ecef8ad9ca31a8372d0c353",
            "api_token": "cf-token",
            "api_url": stub.url + "/client/v4",
            "batch_size": 30,
        }
    )
    purge_keys.call(keys(45))
    assert len(stub.requests) == 2
    bodies = []
    for request in stub.requests:
        assert request["method"] == "POST"
        assert request["path"] == "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/purge_cache"
        assert request["headers"]["Authorization"] == "Bearer cf-token"
        assert request["headers"]["Content-Type"] == "application/json"
        bodies.append(json.loads(request["body"]))
    assert [set(body) for body in bodies] == [{"tags"}, {"tags"}]
    assert [len(body["tags"]) for body in bodies] == [30, 15]
    assert sorted(bodies[0]["tags"] + bodies[1]["tags"]) == sorted(keys(45))


def test_every_configured_purger_is_asked(cdn, stubs):
    varnish, fastly = stubs(), stubs()
    cdn(
        varnish={"urls": [varnish.url]},
        fastly={"service_id": "svc", "api_token": "tok", "api_url": fastly.url},
    )
    assert purge_keys.call(["all"])["purged"] == ["varnish", "fastly"]
    assert len(varnish.requests) == len(fastly.requests) == 1


# --- failures and retries ------------------------------------------------------------------


def test_a_5xx_is_retried_from_the_queue_with_backoff_then_succeeds(cdn, stubs):
    stub = stubs()
    stub.answers = [500]
    cdn(varnish={"urls": [stub.url]})
    started = timezone.now()

    assert purge_keys.call(["article-1"]) == {"purged": [], "retrying": ["varnish"], "given_up": []}

    [retry] = queued_purges()
    assert list(retry.args) == [["article-1"], ["varnish"], 1, True]
    run_after = retry.task.run_after
    assert started + timedelta(seconds=RETRY_DELAYS[0]) <= run_after
    assert run_after <= timezone.now() + timedelta(seconds=RETRY_DELAYS[0])
    assert purge_keys.call(*retry.args)["purged"] == ["varnish"]  # the worker runs it
    assert len(stub.requests) == 2


@pytest.mark.parametrize("status", [429, 502, 503])
def test_throttling_and_server_errors_are_retried(cdn, stubs, status):
    stub = stubs()
    stub.answers = [status]
    cdn(fastly={"service_id": "svc", "api_token": "tok", "api_url": stub.url})
    assert purge_keys.call(["articles"])["retrying"] == ["fastly"]
    assert len(queued_purges()) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_other_4xx_are_logged_and_not_retried(cdn, stubs, status, caplog):
    stub = stubs()
    stub.answers = [status]
    cdn(cloudflare={"zone_id": "z", "api_token": "t", "api_url": stub.url, "batch_size": 30})
    assert purge_keys.call(["articles"])["given_up"] == ["cloudflare"]
    assert queued_purges() == []
    assert f"answered {status}" in caplog.text


def test_no_answer_at_all_is_retried(cdn):
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    cdn(varnish={"urls": [f"http://127.0.0.1:{port}"]})
    assert purge_keys.call(["articles"])["retrying"] == ["varnish"]


def test_the_delays_grow_and_the_last_failure_is_given_up(cdn, stubs, caplog):
    stub = stubs()
    stub.answers = [500] * (len(RETRY_DELAYS) + 1)
    cdn(varnish={"urls": [stub.url]})
    args = (["article-1"],)
    delays = []
    for _ in RETRY_DELAYS:
        before = timezone.now()
        purge_keys.call(*args)
        retry = queued_purges()[-1]
        delays.append(round((retry.task.run_after - before).total_seconds()))
        args = retry.args
    assert delays == list(RETRY_DELAYS)
    assert purge_keys.call(*args)["given_up"] == ["varnish"]  # the fifth failure
    assert len(queued_purges()) == len(RETRY_DELAYS)
    assert "given up" in caplog.text


def test_only_the_failed_purger_is_retried(cdn, stubs):
    varnish, fastly = stubs(), stubs()
    fastly.answers = [503]
    cdn(
        varnish={"urls": [varnish.url]},
        fastly={"service_id": "svc", "api_token": "tok", "api_url": fastly.url},
    )
    purge_keys.call(["articles"])
    [retry] = queued_purges()
    assert retry.args[1] == ["fastly"]


def test_a_queue_that_cannot_wait_purges_once(cdn, stubs, settings):
    stub = stubs()
    stub.answers = [500]
    cdn(varnish={"urls": [stub.url]})
    settings.TASKS = IMMEDIATE_TASKS
    assert purge_keys.call(["articles"])["given_up"] == ["varnish"]


# --- read replicas ---------------------------------------------------------------------------


def test_with_replicas_the_purge_is_sent_again_after_their_lag(cdn, stubs, settings):
    stub = stubs()
    cdn(varnish={"urls": [stub.url]})
    settings.DATABASE_REPLICAS = ["replica_1"]
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 2.0
    before = timezone.now()
    purge_keys.call(["article-1"])
    [again] = queued_purges()
    assert list(again.args) == [["article-1"], ["varnish"], 0, False]
    assert before + timedelta(seconds=2) <= again.task.run_after
    assert again.task.run_after <= timezone.now() + timedelta(seconds=2)
    purge_keys.call(*again.args)
    assert len(queued_purges()) == 1  # once only
    assert len(stub.requests) == 2


def test_without_replicas_the_purge_is_sent_once(cdn, stubs):
    stub = stubs()
    cdn(varnish={"urls": [stub.url]})
    purge_keys.call(["article-1"])
    assert queued_purges() == []


# --- end to end and settings ------------------------------------------------------------------


@pytest.mark.django_db
def test_an_edit_reaches_varnish_after_the_commit(
    cdn, stubs, settings, django_capture_on_commit_callbacks
):
    stub = stubs()
    cdn(varnish={"urls": [stub.url]})
    settings.TASKS = IMMEDIATE_TASKS
    article = ArticleFactory()
    stub.requests.clear()
    from django.db import connection  # noqa: PLC0415

    connection._cdn_pending_purge = None  # the factory's own (the test never commits)
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Corrected"
        article.save()
        assert stub.requests == []  # nothing before the commit
    assert [r["headers"]["X-Purge-Keys"] for r in stub.requests] == [f"article-{article.pk}"]


def test_settings_refuse_an_unknown_purger_or_missing_values(monkeypatch):
    monkeypatch.setenv("CDN_PURGERS", "akamai")
    with pytest.raises(ImproperlyConfigured, match="unknown"):
        cdn_purge_settings()
    monkeypatch.setenv("CDN_PURGERS", "varnish")
    monkeypatch.delenv("VARNISH_PURGE_URLS", raising=False)
    with pytest.raises(ImproperlyConfigured, match="VARNISH_PURGE_URLS"):
        cdn_purge_settings()
    monkeypatch.setenv("CDN_PURGERS", "cloudflare")
    monkeypatch.setenv("CLOUDFLARE_ZONE_ID", "zone")
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN", raising=False)
    with pytest.raises(ImproperlyConfigured, match="CLOUDFLARE_API_TOKEN"):
        cdn_purge_settings()


def test_settings_default_to_no_purger(monkeypatch):
    monkeypatch.delenv("CDN_PURGERS", raising=False)
    assert cdn_purge_settings() == ([], {}, 5.0)
    monkeypatch.setenv("CDN_PURGERS", "Fastly, cloudflare")
    monkeypatch.setenv("FASTLY_SERVICE_ID", "svc")
    monkeypatch.setenv("FASTLY_API_TOKEN", "tok")
    monkeypatch.setenv("CLOUDFLARE_ZONE_ID", "zone")
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "cf")
    names, config, _ = cdn_purge_settings()
    assert names == ["fastly", "cloudflare"]
    assert config["fastly"]["api_url"] == "https://api.fastly.com"
    assert config["cloudflare"]["api_url"] == "https://api.cloudflare.com/client/v4"
    assert config["cloudflare"]["batch_size"] == 30


# Transactional: the edit really commits, and the worker opens its own connections, as
# in production (TASKS_BACKEND=database and `manage.py db_worker`).
@pytest.mark.django_db(transaction=True)
def test_the_database_queue_and_its_worker_purge_and_retry(cdn, stubs, settings):
    import time  # noqa: PLC0415

    from django.core.management import call_command  # noqa: PLC0415
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    stub = stubs()
    cdn(varnish={"urls": [stub.url]})
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    article = ArticleFactory()
    DBTaskResult.objects.all().delete()
    stub.answers = [500]

    article.title = "Corrected"
    article.save()  # autocommit: its own transaction, committed

    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "plumbing.cdn.tasks.purge_keys"
    assert queued.args_kwargs["args"] == [[f"article-{article.pk}"]]
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert len(stub.requests) == 1  # answered 500: a retry is queued for 1 s later
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert retry.args_kwargs["args"] == [[f"article-{article.pk}"], ["varnish"], 1, True]
    time.sleep(max(0.0, (retry.run_after - timezone.now()).total_seconds()) + 0.1)
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert len(stub.requests) == 2
    assert stub.requests[1]["headers"]["X-Purge-Keys"] == f"article-{article.pk}"
    retry.refresh_from_db()
    assert retry.status == "SUCCESSFUL"
