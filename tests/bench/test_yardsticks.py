"""The benchmark's yardsticks (bench/views.py) answer what the API answers, so the
headline ratios compare like with like."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from articles.models import Image
from tests.factories import ArticleFactory, CategoryFactory, TagFactory
from tests.images import rendered_image

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.urls")]


@pytest.fixture
def articles(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMAGE_RENDITION_WIDTHS = [120]
    rendered = rendered_image(alt_text="A lead picture", credit="Desk", focal_x=0.5, focal_y=0.25)
    remote = Image.objects.create(source_url="https://example.org/a.jpg", alt_text="Remote")
    child = CategoryFactory(parent=CategoryFactory(slug="parent"), slug="child")
    ArticleFactory(category=None, author=None, slug="no-category", comments_message="Be kind.")
    for number in range(24):
        ArticleFactory(
            category=child,
            tags=TagFactory.create_batch(number % 3),
            published_at=timezone.now() - timedelta(hours=1 + number),
            lead_image=(None, rendered, remote)[number % 3],
        )
    ArticleFactory(status="draft", slug="a-draft")


def test_the_plain_drf_list_gives_the_api_list_items(api_client, articles):
    # The API's own response cache off: it would answer the second read from its store.
    with override_settings(API_RESPONSE_CACHE=False):
        api = api_client.get("/api/v1/articles/").json()
    plain = api_client.get("/bench/drf/articles/").json()

    assert plain["results"] == api["results"]
    assert plain["count"] == api["count"] == 25
    leads = [item["lead_image"] for item in api["results"]]
    assert any(lead and lead["srcset"] for lead in leads) and None in leads


def test_the_plain_drf_detail_gives_the_api_detail(api_client, articles):
    tagged = api_client.get("/bench/drf/articles/").json()["results"][1]["slug"]
    for slug in ("no-category", tagged):
        with override_settings(API_RESPONSE_CACHE=False):
            api = api_client.get(f"/api/v1/articles/{slug}/").json()

        assert api_client.get(f"/bench/drf/articles/{slug}/").json() == api


def test_the_bare_yardsticks_read_the_same_articles(api_client, articles):
    api = api_client.get("/api/v1/articles/").json()["results"]
    bare = api_client.get("/bench/articles/").json()["results"]

    assert [a["slug"] for a in bare] == [a["slug"] for a in api]
    assert [len(a["tags"]) for a in bare] == [len(a["tags"]) for a in api]
    detail = api_client.get("/api/v1/articles/no-category/").json()
    bare_detail = api_client.get("/bench/articles/no-category/").json()
    assert bare_detail["body"] == detail["body_html"]
    for field in ("comments_open", "reaction_label", "comments_message", "comment_count"):
        assert bare_detail[field] == detail[field]


def test_yardsticks_answer_404_for_an_invisible_article(api_client, articles):
    assert api_client.get("/bench/articles/a-draft/").status_code == 404
    assert api_client.get("/bench/drf/articles/a-draft/").status_code == 404
