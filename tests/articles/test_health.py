"""/healthz reports the database and the cache; 503 when the database is down."""

from unittest import mock

import pytest
from django.db import OperationalError, connections

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_database_and_cache_answer(api_client):
    response = api_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_cannot_be_reached(api_client):
    # Patch the connection class so the real check runs and meets a driver error.
    wrapper_class = type(connections["default"])
    with mock.patch.object(
        wrapper_class, "cursor", side_effect=OperationalError("could not connect to server")
    ):
        response = api_client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] != "ok"
    assert body["database"] != "ok"
    assert body["cache"] == "ok"


def test_healthz_stays_up_when_only_the_cache_fails(api_client):
    with mock.patch("plumbing.health.cache") as cache:
        cache.set.side_effect = ConnectionError("cache down")
        response = api_client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "unavailable"}
