"""The outside probe's findings (issue #14), one test (or a few) per numbered item that
can be shown in process. The items that need real server processes (stale reads across
two workers, slow clients, gunicorn's proxy trust) are in test_production_server.py."""

from __future__ import annotations

import pytest

from tests.comments.factories import CommentFactory
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


# --- 5. input that reached the database as a NUL, and OPTIONS on the docs page ------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/articles/%00/",
        "/api/v1/articles/a%00b/comments/",
        "/api/v1/categories/a%00b/",
        "/api/v1/tags/%00/",
        "/api/v1/articles/?search=%00",
        "/api/v1/articles/?category=%00",
        "/feeds/categories/a%00/",
    ],
)
def test_a_nul_in_the_path_or_query_is_a_400(api_client, path):
    ArticleFactory(slug="story")

    response = api_client.get(path)

    assert response.status_code == 400
    if path.startswith("/api/"):
        assert "NUL" in response.json()["detail"]


def test_a_nul_in_an_admin_filter_is_a_400(admin_client):
    response = admin_client.get("/admin/comments/comment/?status__exact=%00")

    assert response.status_code == 400


def test_options_on_the_api_docs_page_is_a_405_not_a_500(api_client):
    response = api_client.options("/api/docs/")

    assert response.status_code == 405
    assert api_client.get("/api/docs/").status_code == 200


# --- 7. an answer that sets a cookie is never shareable -----------------------------


def test_a_public_read_clearing_a_stale_session_is_not_shareable(api_client):
    comment = CommentFactory()
    api_client.cookies["sessionid"] = "stalestalestalestalestale0123456"

    response = api_client.get(f"/api/v1/articles/{comment.article.slug}/comments/")

    assert response.status_code == 200
    assert "sessionid" in response.cookies  # the stale cookie is cleared ...
    assert "public" not in response["Cache-Control"]  # ... so no CDN may keep the answer
    assert "no-store" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    # Without the cookie the same read is shareable as before.
    fresh = type(api_client)().get(f"/api/v1/articles/{comment.article.slug}/comments/")
    assert fresh["Cache-Control"].startswith("public")


# --- 2. a process-local cache under a multi-process server --------------------------


def test_a_cache_no_other_process_sees_is_not_used_by_a_multiprocess_server(api_client, settings):
    """The in-process half of the two-worker test (test_production_server.py): what the
    response cache does when the server says it runs several processes."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.API_RESPONSE_CACHE = True
    ArticleFactory(slug="story")
    several = {"wsgi.multiprocess": True}
    api_client.get("/api/v1/articles/story/", **several)

    with CaptureQueriesContext(connection) as second:
        response = api_client.get("/api/v1/articles/story/", **several)

    assert response.status_code == 200
    process_local = isinstance(caches[settings.API_RESPONSE_CACHE_ALIAS], LocMemCache)
    if process_local:  # the default without REDIS_URL: every read goes to the database
        assert len(second.captured_queries) > 0
    else:  # Redis (CI's second leg): shared by every worker, so it answers
        assert len(second.captured_queries) == 0
    # One process (runserver, the test client): the local cache answers.
    api_client.get("/api/v1/articles/story/")
    with CaptureQueriesContext(connection) as single:
        api_client.get("/api/v1/articles/story/")
    assert len(single.captured_queries) == 0


# --- 8. a hung Redis costs one short timeout, then nothing --------------------------


@pytest.fixture
def hung_redis(settings):
    """The Redis cache as settings configure it, pointed at a socket that accepts
    connections and never answers."""
    import socket

    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(128)
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{hole.getsockname()[1]}/0",
                "OPTIONS": settings.REDIS_CACHE_OPTIONS,  # as production configures it
            }
        }
        settings.REDIS_CIRCUIT_SECONDS = 30
        yield


def test_a_hung_redis_costs_one_short_timeout_not_seconds_per_post(api_client, hung_redis):
    import time

    from tests.comments.helpers import set_policy

    set_policy(flood_interval_seconds=0)
    article = ArticleFactory(slug="story")
    timings = []
    for number in range(5):
        started = time.monotonic()
        response = api_client.post(
            f"/api/v1/articles/{article.slug}/comments/",
            {
                "author_name": "Ann",
                "author_email": f"ann{number}@example.com",
                "body": f"Comment number {number}.",
            },
            format="json",
        )
        timings.append(time.monotonic() - started)
        assert response.status_code in (201, 202), response.content
        assert api_client.get(f"/api/v1/articles/{article.slug}/").status_code == 200

    assert timings[0] < 1.5, timings  # the first call meets one 0.25 s timeout
    assert max(timings[1:]) < 0.5, timings  # then the circuit is open: no waiting
