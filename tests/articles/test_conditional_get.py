"""Article detail answers with ETag and Last-Modified and honours conditional GETs."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils.http import http_date, parse_http_date

from articles.models import Article, Author, Category, Tag
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return ArticleFactory(slug="story")


def test_detail_has_etag_and_last_modified(api_client, article):
    response = api_client.get("/api/v1/articles/story/")
    assert response.status_code == 200
    assert response["ETag"]
    article.refresh_from_db()
    # Last-Modified covers the article and what its detail shows (category, comments, ...).
    last_modified = parse_http_date(response["Last-Modified"])
    assert int(article.updated_at.timestamp()) <= last_modified <= time.time()


def test_matching_if_none_match_gets_304(api_client, article):
    etag = api_client.get("/api/v1/articles/story/")["ETag"]

    response = api_client.get("/api/v1/articles/story/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""


def test_stale_etag_gets_the_full_response(api_client, article):
    etag = api_client.get("/api/v1/articles/story/")["ETag"]
    article.title = "A new title"
    article.save()

    response = api_client.get("/api/v1/articles/story/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["title"] == "A new title"
    assert response["ETag"] != etag


def backdate_everything_the_detail_shows(article, when) -> None:
    """Put the article and everything its Last-Modified covers at `when`."""
    from comments.models import ModerationPolicy

    ModerationPolicy.load()
    for model in (Article, Category, Author, Tag, ModerationPolicy):
        model.objects.update(updated_at=when)


def test_last_modified_is_the_article_update_time_when_nothing_else_changed(api_client, article):
    when = datetime(2020, 5, 17, 10, 30, 15, tzinfo=UTC)
    backdate_everything_the_detail_shows(article, when)

    response = api_client.get("/api/v1/articles/story/")

    assert response["Last-Modified"] == "Sun, 17 May 2020 10:30:15 GMT"


def test_editing_the_article_moves_last_modified_forward(api_client, article):
    backdate_everything_the_detail_shows(article, datetime(2020, 1, 1, tzinfo=UTC))
    old = api_client.get("/api/v1/articles/story/")["Last-Modified"]
    article.refresh_from_db()
    article.title = "Edited"
    article.save()

    response = api_client.get("/api/v1/articles/story/", HTTP_IF_MODIFIED_SINCE=old)

    assert response.status_code == 200
    assert parse_http_date(response["Last-Modified"]) > parse_http_date(old)


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(hours=1)])
def test_if_modified_since_at_or_after_last_modified_gets_304(api_client, article, offset):
    last_modified = api_client.get("/api/v1/articles/story/")["Last-Modified"]
    since = http_date(parse_http_date(last_modified) + offset.total_seconds())

    response = api_client.get("/api/v1/articles/story/", HTTP_IF_MODIFIED_SINCE=since)

    assert response.status_code == 304


def test_if_modified_since_before_last_modified_gets_the_full_response(api_client, article):
    last_modified = api_client.get("/api/v1/articles/story/")["Last-Modified"]
    since = http_date(parse_http_date(last_modified) - 3600)

    response = api_client.get("/api/v1/articles/story/", HTTP_IF_MODIFIED_SINCE=since)

    assert response.status_code == 200
    assert response.json()["slug"] == "story"
