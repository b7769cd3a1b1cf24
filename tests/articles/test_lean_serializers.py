"""The article serializers write their dicts directly (articles/api/serializers.py) for
speed; the output must be exactly what DRF's generic ModelSerializer path gives."""

from datetime import timedelta

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request

from articles import selectors
from articles.api.serializers import ArticleDetailSerializer, ArticleListSerializer
from articles.models import Article
from articles.services import demo_data_load
from comments.models import ModerationPolicy
from tests.factories import ArticleFactory, CategoryFactory, TagFactory

pytestmark = pytest.mark.django_db


def generic(serializer, article) -> dict:
    """What DRF's own Serializer.to_representation makes of the article."""
    return serializers.Serializer.to_representation(serializer, article)


@pytest.fixture
def articles():
    demo_data_load()
    child = CategoryFactory(parent=CategoryFactory(slug="parent"), slug="child")
    ArticleFactory(category=None, author=None, slug="bare", excerpt="", comments_message="")
    ArticleFactory(
        category=child,
        tags=TagFactory.create_batch(3),
        title="Ünïcödé “quotes” <b>and</b>\u2028separators",
        comments_message="Be kind.",
        published_at=timezone.now().replace(microsecond=123456) - timedelta(days=3),
    )
    Article.objects.filter(slug="bare").update(comment_count=7)
    return list(selectors.public_articles())


@pytest.fixture
def context():
    request = Request(RequestFactory().get("/api/v1/articles/"))
    return {"request": request, "policy": ModerationPolicy.load(), "now": timezone.now()}


def test_the_list_serializer_writes_what_drf_would(articles, context):
    assert len(articles) >= 8
    serializer = ArticleListSerializer(context=context)
    for article in articles:
        assert serializer.to_representation(article) == generic(serializer, article)


def test_the_detail_serializer_writes_what_drf_would(articles, context):
    serializer = ArticleDetailSerializer(context=context)
    for article in articles:
        lean = serializer.to_representation(article)
        assert lean == generic(serializer, article)
        assert list(lean) == list(generic(serializer, article))  # the same key order


def test_many_articles_at_once(articles, context):
    lean = ArticleListSerializer(articles, many=True, context=context).data
    expected = [generic(ArticleListSerializer(context=context), a) for a in articles]
    assert lean == expected


def test_urls_without_a_request_are_relative_as_before(articles):
    serializer = ArticleListSerializer(context={})
    for article in articles:
        assert serializer.to_representation(article)["url"] == f"/api/v1/articles/{article.slug}/"


@override_settings(TIME_ZONE="Europe/Paris")
def test_dates_follow_the_current_time_zone_as_drf_does(articles, context):
    serializer = ArticleListSerializer(context=context)
    for article in articles:
        lean = serializer.to_representation(article)
        assert lean == generic(serializer, article)
        if lean["published_at"]:
            assert lean["published_at"].endswith(("+01:00", "+02:00"))


def test_a_field_added_later_goes_through_drfs_machinery(articles, context):
    class Extended(ArticleListSerializer):
        note = serializers.SerializerMethodField()
        status = serializers.CharField()

        class Meta(ArticleListSerializer.Meta):
            fields = [*ArticleListSerializer.Meta.fields, "status", "note", "created_at"]

        def get_note(self, article):
            return f"note on {article.slug}"

    serializer = Extended(context=context)
    for article in articles:
        lean = serializer.to_representation(article)
        assert lean == generic(serializer, article)
        assert lean["note"] == f"note on {article.slug}"
        assert lean["created_at"]


def test_a_list_row_gives_what_the_article_gives(articles, context):
    # The public list serializes rows (selectors.public_article_rows), not instances.
    rows = {row["id"]: row for row in selectors.public_article_rows()}
    tags = selectors.tags_by_article(article_ids=list(rows))
    serializer = ArticleListSerializer(context=context)
    assert set(rows) == {a.pk for a in articles}
    for article in articles:
        row = dict(rows[article.pk], tags=tags[article.pk])
        from_row = serializer.to_representation(row)
        assert from_row == generic(serializer, article)
        assert list(from_row) == list(generic(serializer, article))


def test_the_api_list_shows_what_the_serializer_makes_of_each_article(api_client, articles):
    context = {"request": Request(RequestFactory().get("/api/v1/articles/"))}
    serializer = ArticleListSerializer(context=context)
    listed = api_client.get("/api/v1/articles/", {"page_size": 50}).json()["results"]
    by_id = {a.pk: a for a in articles}
    assert [item["id"] for item in listed] == [a.pk for a in articles]
    for item in listed:
        expected = generic(serializer, by_id[item["id"]])
        # The test client's host is "testserver", as the RequestFactory's.
        assert item == expected


def test_the_category_serializer_writes_what_drf_would(articles):
    from articles.api.serializers import CategorySerializer
    from articles.models import Category

    categories = selectors.attach_article_counts(
        categories=list(selectors.public_categories()),
        not_yet_visible=selectors.not_yet_visible_by_category(now=timezone.now()),
    )
    assert any(c.parent_id for c in categories) and any(not c.parent_id for c in categories)
    serializer = CategorySerializer()
    for category in categories:
        lean = serializer.to_representation(category)
        assert lean == generic(serializer, category)
        assert list(lean) == list(generic(serializer, category))
    assert Category.objects.count() == len(categories)
