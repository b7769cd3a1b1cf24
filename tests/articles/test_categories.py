"""The category tree: descendant filtering, counts, paths, and moving or renaming nodes."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Article, Category
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """technology > cameras > mirrorless, plus an unrelated root "science"."""
    technology = CategoryFactory(name="Technology", slug="technology")
    cameras = CategoryFactory(name="Cameras", slug="cameras", parent=technology)
    mirrorless = CategoryFactory(name="Mirrorless", slug="mirrorless", parent=cameras)
    science = CategoryFactory(name="Science", slug="science")
    return {c.slug: c for c in (technology, cameras, mirrorless, science)}


def categories_by_slug(client) -> dict[str, dict]:
    response = client.get("/api/v1/categories/")
    assert response.status_code == 200
    return {item["slug"]: item for item in response.json()["results"]}


def article_slugs(client, **params) -> list[str]:
    response = client.get("/api/v1/articles/", params)
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def test_category_filter_includes_child_and_grandchild_categories(api_client, tree):
    now = timezone.now()
    ArticleFactory(
        slug="in-technology", category=tree["technology"], published_at=now - timedelta(hours=3)
    )
    ArticleFactory(
        slug="in-cameras", category=tree["cameras"], published_at=now - timedelta(hours=2)
    )
    ArticleFactory(
        slug="in-mirrorless", category=tree["mirrorless"], published_at=now - timedelta(hours=1)
    )
    ArticleFactory(slug="in-science", category=tree["science"])
    ArticleFactory(slug="uncategorised", category=None)

    assert article_slugs(api_client, category="technology") == [
        "in-mirrorless",
        "in-cameras",
        "in-technology",
    ]
    assert article_slugs(api_client, category="cameras") == ["in-mirrorless", "in-cameras"]
    assert article_slugs(api_client, category="mirrorless") == ["in-mirrorless"]
    assert article_slugs(api_client, category="science") == ["in-science"]


def test_category_filter_does_not_match_a_category_whose_id_extends_the_id(api_client):
    # tree_path is "/<id>/": category 7001 must not pick up category 70011's articles.
    first = CategoryFactory(pk=7001)
    longer = CategoryFactory(pk=70011)
    ArticleFactory(slug="in-first", category=first)
    ArticleFactory(slug="in-longer", category=longer)
    assert article_slugs(api_client, category=first.slug) == ["in-first"]
    assert article_slugs(api_client, category=longer.slug) == ["in-longer"]


def test_category_article_count_includes_descendants_and_only_visible_articles(api_client, tree):
    ArticleFactory(category=tree["technology"])
    ArticleFactory(category=tree["cameras"])
    ArticleFactory.create_batch(2, category=tree["mirrorless"])
    # Invisible articles never count.
    ArticleFactory(category=tree["mirrorless"], status=Article.Status.DRAFT)
    ArticleFactory(category=tree["cameras"], status=Article.Status.ARCHIVED)
    ArticleFactory(
        category=tree["technology"],
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + timedelta(days=1),
    )

    counts = {slug: item["article_count"] for slug, item in categories_by_slug(api_client).items()}

    assert counts == {"technology": 4, "cameras": 3, "mirrorless": 2, "science": 0}


def test_category_path_lists_ancestor_slugs_root_first_and_parent_is_a_slug(api_client, tree):
    items = categories_by_slug(api_client)

    assert items["technology"]["path"] == ["technology"]
    assert items["technology"]["parent"] is None
    assert items["cameras"]["path"] == ["technology", "cameras"]
    assert items["cameras"]["parent"] == "technology"
    assert items["mirrorless"]["path"] == ["technology", "cameras", "mirrorless"]
    assert items["mirrorless"]["parent"] == "cameras"
    assert set(items["mirrorless"]) >= {"id", "name", "slug", "parent", "path", "article_count"}


def test_category_detail_by_slug(api_client, tree):
    response = api_client.get("/api/v1/categories/mirrorless/")
    assert response.status_code == 200
    assert response.json()["path"] == ["technology", "cameras", "mirrorless"]
    assert api_client.get("/api/v1/categories/no-such-category/").status_code == 404


def test_article_category_carries_the_path(api_client, tree):
    ArticleFactory(category=tree["mirrorless"])
    item = api_client.get("/api/v1/articles/").json()["results"][0]
    assert item["category"] == {
        "name": "Mirrorless",
        "slug": "mirrorless",
        "path": ["technology", "cameras", "mirrorless"],
    }


def test_moving_a_category_rewrites_descendant_paths(api_client, tree):
    cameras = tree["cameras"]
    cameras.parent = tree["science"]
    cameras.save()

    items = categories_by_slug(api_client)
    assert items["cameras"]["path"] == ["science", "cameras"]
    assert items["cameras"]["parent"] == "science"
    assert items["mirrorless"]["path"] == ["science", "cameras", "mirrorless"]

    # Descendant filtering and counts follow the move.
    ArticleFactory(slug="mirrorless-review", category=tree["mirrorless"])
    assert article_slugs(api_client, category="science") == ["mirrorless-review"]
    assert article_slugs(api_client, category="technology") == []
    counts = {slug: item["article_count"] for slug, item in categories_by_slug(api_client).items()}
    assert counts["science"] == 1
    assert counts["technology"] == 0


def test_moving_a_category_to_the_root_rewrites_descendant_paths(api_client, tree):
    cameras = tree["cameras"]
    cameras.parent = None
    cameras.save()

    items = categories_by_slug(api_client)
    assert items["cameras"]["path"] == ["cameras"]
    assert items["cameras"]["parent"] is None
    assert items["mirrorless"]["path"] == ["cameras", "mirrorless"]


def test_renaming_a_category_slug_rewrites_descendant_paths(api_client, tree):
    technology = tree["technology"]
    technology.slug = "tech"
    technology.save()

    items = categories_by_slug(api_client)
    assert items["tech"]["path"] == ["tech"]
    assert items["cameras"]["path"] == ["tech", "cameras"]
    assert items["cameras"]["parent"] == "tech"
    assert items["mirrorless"]["path"] == ["tech", "cameras", "mirrorless"]


def test_moving_a_category_under_its_own_descendant_is_refused(tree):
    technology = tree["technology"]
    technology.parent = tree["mirrorless"]

    with pytest.raises(ValidationError):
        technology.full_clean()
    with pytest.raises(ValidationError):
        technology.save()

    # Nothing changed in the database.
    stored = Category.objects.get(slug="technology")
    assert stored.parent_id is None
    assert stored.path == ["technology"]
    assert Category.objects.get(slug="mirrorless").path == ["technology", "cameras", "mirrorless"]


def test_a_category_cannot_be_its_own_parent(tree):
    cameras = tree["cameras"]
    cameras.parent = cameras
    with pytest.raises(ValidationError):
        cameras.full_clean()
    with pytest.raises(ValidationError):
        cameras.save()
    assert Category.objects.get(slug="cameras").parent.slug == "technology"
