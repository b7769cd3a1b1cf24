"""plumbing/compiled.py: a queryset compiled once gives what the ORM gives, in one
query, with the real values in place of the stand-ins."""

import threading
from datetime import timedelta

import pytest
from django.db.models import F, Value
from django.utils import timezone

from articles import selectors
from articles.models import Article
from plumbing.compiled import CompiledQuery, Param
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db

SLUG = Param(Article._meta.get_field("slug"))


def field_values(article: Article) -> dict:
    return {f.attname: getattr(article, f.attname) for f in Article._meta.concrete_fields}


def test_the_visible_article_is_the_orms_own(django_assert_num_queries):
    article = ArticleFactory(
        published_at=timezone.now().replace(microsecond=654321) - timedelta(hours=1)
    )
    expected = Article.objects.visible().get(slug=article.slug)
    with django_assert_num_queries(1):
        found = selectors.visible_article(slug=article.slug)
    assert field_values(found) == field_values(expected)
    # The same types, not only equal values: an aware datetime, a bool, an int.
    for name, value in field_values(expected).items():
        assert type(getattr(found, name)) is type(value), name
    assert found.published_at.utcoffset() is not None
    assert found._state.adding is False and found._state.db == "default"
    # A second call runs the same statement with the other values.
    other = ArticleFactory()
    assert selectors.visible_article(slug=other.slug).pk == other.pk


@pytest.mark.parametrize(
    "shape",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"status": Article.Status.ARCHIVED},
        {"status": Article.Status.SCHEDULED, "future": True},
    ],
)
def test_what_the_public_may_not_read_is_not_found(shape):
    published_at = timezone.now() + (timedelta(days=1) if shape.get("future") else -timedelta(1))
    article = ArticleFactory(status=shape["status"], published_at=published_at)
    assert selectors.visible_article(slug=article.slug) is None
    assert selectors.visible_article(slug="no-such-article") is None


def test_the_moment_is_a_parameter_too():
    article = ArticleFactory(
        status=Article.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=2)
    )
    assert selectors.visible_article(slug=article.slug) is None
    later = timezone.now() + timedelta(hours=3)
    assert selectors.visible_article(slug=article.slug, now=later).pk == article.pk


def test_joined_rows_and_annotations_are_populated(django_assert_num_queries):
    category = CategoryFactory(name="Tech Industry")
    article = ArticleFactory(category=category)
    query = CompiledQuery(
        lambda slug: (
            Article.objects.select_related("category")
            .annotate(doubled=F("comment_count") * 2, label=Value("x"))
            .filter(slug=slug)
        ),
        slug=SLUG,
    )
    with django_assert_num_queries(1):
        (found,) = query(slug=article.slug)
        assert found.category.name == "Tech Industry"
    assert (found.doubled, found.label) == (0, "x")


def test_a_parameter_the_statement_does_not_hold_is_refused():
    query = CompiledQuery(lambda slug: Article.objects.filter(title="fixed"), slug=SLUG)
    with pytest.raises(ValueError, match="slug"):
        query(slug="anything")
    with pytest.raises(TypeError):
        CompiledQuery(lambda slug: Article.objects.filter(slug=slug), slug=SLUG)(other="x")


def test_values_list_querysets_are_refused():
    query = CompiledQuery(
        lambda slug: Article.objects.filter(slug=slug).values_list("id"), slug=SLUG
    )
    with pytest.raises(TypeError, match="values_list"):
        query(slug="x")


def test_values_rows_are_the_orms_own(django_assert_num_queries):
    category = CategoryFactory(name="Tech Industry")
    ArticleFactory(category=category, published_at=timezone.now() - timedelta(hours=2))
    ArticleFactory(category=None, published_at=timezone.now() - timedelta(hours=1))
    columns = ("id", "title", "published_at", "category__name", "comments_changed_at")

    def newest(now):
        return Article.objects.visible(now).order_by("-published_at").values(*columns)[:5]

    query = CompiledQuery(newest, now=Param(Article._meta.get_field("published_at")))
    now = timezone.now()
    with django_assert_num_queries(1):
        rows = query(now=now)
    expected = list(newest(now))
    assert rows == expected
    assert [type(value) for value in rows[0].values()] == [
        type(value) for value in expected[0].values()
    ]
    assert query(now=now - timedelta(minutes=90)) == list(newest(now - timedelta(minutes=90)))


def test_the_plain_lists_pages_are_the_querysets(api_client, settings):
    """The front page and its next pages, once the count is stored, are read through
    SQL compiled once (selectors.newest_visible_rows_page): the same answers as the
    FilterSet's path, which `ordering=-published_at` takes."""
    settings.API_RESPONSE_CACHE = False
    for i in range(12):
        ArticleFactory(published_at=timezone.now() - timedelta(hours=i % 5))  # ties by date
    ArticleFactory(status=Article.Status.DRAFT)
    api_client.get("/api/v1/articles/")  # the count, stored

    for page in (1, 2, 3):
        plain = api_client.get("/api/v1/articles/", {"page_size": 5, "page": page})
        filtered = api_client.get(
            "/api/v1/articles/", {"page_size": 5, "page": page, "ordering": "-published_at"}
        )
        assert plain.status_code == filtered.status_code == 200
        assert plain.json()["results"] == filtered.json()["results"]
    assert plain.json()["count"] == 12


@pytest.mark.django_db(transaction=True)
def test_each_thread_compiles_on_its_own_connection():
    article = ArticleFactory()
    query = CompiledQuery(lambda slug: Article.objects.filter(slug=slug), slug=SLUG)
    assert query(slug=article.slug)[0].pk == article.pk
    found = []

    def other_thread():
        from django.db import connection

        try:
            found.append(query(slug=article.slug)[0].pk)
        finally:
            connection.close()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert found == [article.pk]


def test_a_categories_page_is_the_querysets_slice_and_compiled_once(monkeypatch):
    from django.db.models.sql.compiler import SQLCompiler

    root = CategoryFactory(name="Root")
    for number in range(6):
        CategoryFactory(name=f"Child {number}", parent=root)
    expected = list(selectors.public_categories())
    for offset, limit in [(0, 3), (3, 3), (6, 3), (0, 50)]:
        found = selectors.public_categories_page(offset=offset, limit=limit)
        assert [c.pk for c in found] == [c.pk for c in expected[offset : offset + limit]]
        # The parent came joined: reading it is not a query.
        assert all(c.parent is None or c.parent.name == "Root" for c in found)

    CategoryFactory(name="Late", parent=root)
    compiled = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or as_sql(self, *a, **k)
    )
    again = selectors.public_categories_page(offset=3, limit=3)
    assert compiled == []  # the statement of that slice was already written
    assert [c.pk for c in again] == [c.pk for c in list(selectors.public_categories())[3:6]]
