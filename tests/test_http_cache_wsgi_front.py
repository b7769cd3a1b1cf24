"""The WSGI front of the response cache (plumbing.response_cache.front, wired in cms.wsgi):
a valid stored answer goes out before Django builds a request, with the same body and
headers the middleware would give; anything it cannot answer exactly goes to Django."""

from __future__ import annotations

import io

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from articles.services import article_archive
from plumbing.response_cache import store
from plumbing.response_cache.front import wsgi_front
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_in_use(response_cache_on):
    pass


@pytest.fixture
def django_calls():
    """The front around a stand-in for Django that counts the requests it gets and
    answers them through the real WSGI handler."""
    handler = WSGIHandler()
    calls = []

    def django_app(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return handler(environ, start_response)

    # As Django's test client does: the handler's request signals would close the
    # connection that holds the test's transaction (on PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield calls, wsgi_front(django_app)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(app, path, query="", method="GET", host="testserver", **extra):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **extra,
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    with CaptureQueriesContext(connection) as queries:
        body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body, len(queries.captured_queries)


def test_a_stored_answer_goes_out_before_django_with_the_same_body_and_headers(
    django_calls,
):
    calls, app = django_calls
    article = ArticleFactory(slug="story")
    path = f"/api/v1/articles/{article.slug}/"

    first = call(app, path)
    second = call(app, path)

    assert calls == [path]  # the second one never reached Django
    assert first[0] == second[0] == "200 OK"
    assert second[2] == first[2]
    assert second[3] == 0
    for header in ("Content-Type", "ETag", "Last-Modified", "Cache-Control"):
        assert second[1][header] == first[1][header], header
    assert second[1]["Content-Length"] == str(len(second[2]))


def test_a_change_is_seen_on_the_next_read_through_the_front(django_calls):
    calls, app = django_calls
    article = ArticleFactory(slug="story")
    call(app, "/api/v1/articles/")
    call(app, "/api/v1/articles/")
    assert len(calls) == 1

    article_archive(article=article)
    status, _, body, _ = call(app, "/api/v1/articles/")

    assert len(calls) == 2
    assert status == "200 OK"
    assert b'"story"' not in body


@pytest.mark.parametrize(
    "extra",
    [
        {"REQUEST_METHOD": "HEAD"},
        {"HTTP_IF_NONE_MATCH": '"x"'},
        {"HTTP_ACCEPT": "application/json; indent=4"},
        {"HTTP_X_FORWARDED_HOST": "elsewhere.example"},
    ],
)
def test_what_the_front_cannot_answer_exactly_goes_to_django(django_calls, settings, extra):
    settings.USE_X_FORWARDED_HOST = True
    calls, app = django_calls
    ArticleFactory(slug="story")
    call(app, "/api/v1/articles/")
    call(app, "/api/v1/articles/", **extra)

    assert len(calls) == 2


def test_a_host_django_refuses_is_never_answered_from_the_cache(django_calls):
    calls, app = django_calls
    ArticleFactory(slug="story")
    call(app, "/api/v1/articles/", host="evil.example")
    status, _, _, _ = call(app, "/api/v1/articles/", host="evil.example")

    assert len(calls) == 2
    assert status.startswith("400")


def test_with_the_cache_off_everything_goes_to_django(django_calls, settings):
    settings.API_RESPONSE_CACHE = False
    calls, app = django_calls
    ArticleFactory(slug="story")
    call(app, "/api/v1/articles/")
    call(app, "/api/v1/articles/")

    assert len(calls) == 2


def test_the_project_wsgi_application_has_the_front():
    from cms import wsgi

    assert wsgi.application.__qualname__ == "wsgi_front.<locals>.front"


def test_a_miss_reads_the_cache_once(django_calls, monkeypatch):
    """The front's lookup travels to the middleware in the environ: a miss costs one
    cache round trip for the entry and its generations, not one in each layer."""

    calls, app = django_calls
    article = ArticleFactory(slug="story")
    reads = []
    real_get_many = store.get_many

    def counting_get_many(keys):
        reads.append(tuple(keys))
        return real_get_many(keys)

    monkeypatch.setattr(store, "get_many", counting_get_many)

    status, _, _, queries = call(app, f"/api/v1/articles/{article.slug}/")

    assert status == "200 OK"
    assert queries > 0  # it really was a miss, answered by Django
    entry_reads = [keys for keys in reads if keys[0].startswith(store.ENTRY_PREFIX)]
    assert len(entry_reads) == 1, reads
