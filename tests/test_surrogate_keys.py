"""Surrogate keys on public answers (docs/deployment.md): every cacheable public
GET answer names, in `Surrogate-Key` (space-separated) and `Cache-Tag` (comma-separated),
the keys a CDN purges it by: on a miss, on a hit (stored with the answer, also through
the WSGI front) and with the response cache off; no private answer carries any; and
the keys cost no query."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from tests.comments.helpers import make_comment
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, TagFactory
from tests.images import rendered_image
from tests.test_http_cache_wsgi_front import call, django_calls  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

KEY = re.compile(r"[a-z0-9-]{1,64}")


def keys_of(response) -> set[str]:
    """The keys of an answer, checked the same in both headers and within the contract
    (lowercase ASCII letters, digits and hyphens, at most 64 characters)."""
    spaced = response["Surrogate-Key"].split(" ")
    commas = response["Cache-Tag"].split(",")
    assert spaced == commas
    assert all(KEY.fullmatch(key) for key in spaced), spaced
    assert len(set(spaced)) == len(spaced)
    return set(spaced)


@pytest.fixture
def site(db):
    """An article in a subcategory, with a tag, an author, a lead image and an approved
    comment; another article elsewhere; a draft that shows nowhere."""
    parent = CategoryFactory(slug="news")
    child = CategoryFactory(slug="cameras", parent=parent)
    tag = TagFactory(slug="leica")
    author = AuthorFactory(slug="ann")
    image = rendered_image(alt_text="A camera")
    article = ArticleFactory(
        slug="leica-m", category=child, tags=[tag], author=author, lead_image=image
    )
    other = ArticleFactory(slug="other")
    draft = ArticleFactory(slug="draft", status=Article.Status.DRAFT, category=child, author=author)
    comment = make_comment(article)
    return {
        "parent": parent,
        "child": child,
        "tag": tag,
        "author": author,
        "image": image,
        "article": article,
        "other": other,
        "draft": draft,
        "comment": comment,
    }


def expected(site) -> dict[str, set[str]]:
    """Each public read's path and the keys it must carry (besides `all`)."""
    a, o = site["article"], site["other"]
    parent, child, tag = site["parent"], site["child"], site["tag"]
    author, image = site["author"], site["image"]
    article_path = {f"category-{parent.pk}", f"category-{child.pk}"}
    wp = "/wp-json/wp/v2"
    return {
        "/api/v1/articles/": {"articles", f"article-{a.pk}", f"article-{o.pk}"},
        "/api/v1/articles/?ordering=-comment_count": {
            "articles",
            "comments",
            f"article-{a.pk}",
            f"article-{o.pk}",
        },
        f"/api/v1/articles/{a.slug}/": {
            f"article-{a.pk}",
            f"thread-{a.pk}",
            f"author-{author.pk}",
            f"tag-{tag.pk}",
            *article_path,
        },
        f"/api/v1/articles/{a.slug}/comments/": {f"thread-{a.pk}", f"article-{a.pk}"},
        "/api/v1/categories/": {
            "categories",
            *article_path,
            f"category-{o.category_id}",
        },
        f"/api/v1/categories/{child.slug}/": {"categories", *article_path},
        "/api/v1/tags/": {"tags", f"tag-{tag.pk}"},
        f"/api/v1/tags/{tag.slug}/": {"tags", f"tag-{tag.pk}"},
        "/api/v1/authors/": {"authors", f"author-{author.pk}", f"author-{o.author_id}"},
        f"/api/v1/authors/{author.slug}/": {"authors", f"author-{author.pk}"},
        f"{wp}/posts": {"articles", f"article-{a.pk}", f"article-{o.pk}"},
        f"{wp}/posts?_embed=1": {"articles", f"article-{a.pk}", f"article-{o.pk}"},
        f"{wp}/posts/{a.pk}": {
            "articles",
            f"article-{a.pk}",
            f"category-{child.pk}",
            f"tag-{tag.pk}",
            f"author-{author.pk}",
            f"image-{image.pk}",
        },
        f"{wp}/categories/{child.pk}": {"categories", f"category-{child.pk}"},
        f"{wp}/tags/{tag.pk}": {"tags", f"tag-{tag.pk}"},
        f"{wp}/users/{author.pk}": {"authors", f"author-{author.pk}"},
        f"{wp}/media": {"media", f"image-{image.pk}"},
        f"{wp}/media/{image.pk}": {"media", f"image-{image.pk}"},
        f"{wp}/comments": {"comments", f"thread-{a.pk}"},
        f"{wp}/comments/{site['comment'].pk}": {"comments", f"thread-{a.pk}"},
    }


def check_every_public_read(client, site) -> None:
    for path, keys in expected(site).items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"].startswith("public"), path
        assert keys_of(response) == {"all", *keys}, path


def test_every_public_read_carries_its_keys_on_a_miss_and_on_a_hit(client, site, response_cache_on):
    check_every_public_read(client, site)  # misses: stored
    with CaptureQueriesContext(connection) as queries:
        check_every_public_read(client, site)  # hits
    assert len(queries.captured_queries) == 0


def test_every_public_read_carries_its_keys_with_the_response_cache_off(client, site, settings):
    settings.API_RESPONSE_CACHE = False
    check_every_public_read(client, site)


def test_term_lists_on_wordpress_carry_every_row(client, site, settings):
    settings.API_RESPONSE_CACHE = False
    wp = "/wp-json/wp/v2"
    categories = keys_of(client.get(f"{wp}/categories"))
    assert {"categories", f"category-{site['parent'].pk}", f"category-{site['child'].pk}"} <= (
        categories
    )
    assert {"tags", f"tag-{site['tag'].pk}"} <= keys_of(client.get(f"{wp}/tags"))
    assert {"authors", f"author-{site['author'].pk}"} <= keys_of(client.get(f"{wp}/users"))


def test_a_hit_through_the_wsgi_front_carries_the_stored_keys(django_calls, site):  # noqa: F811
    calls, app = django_calls
    path = f"/api/v1/articles/{site['article'].slug}/"
    first = call(app, path)
    second = call(app, path)
    assert calls == [path]  # the second was answered by the front
    assert second[1]["Surrogate-Key"] == first[1]["Surrogate-Key"]
    assert second[1]["Cache-Tag"] == first[1]["Cache-Tag"]
    assert f"article-{site['article'].pk}" in second[1]["Surrogate-Key"].split(" ")


def test_the_keys_cost_no_query(client, site, settings, monkeypatch):
    """The same queries with and without the keys: they come from the rows the views
    read (the detail's category path is read with its category, not loaded after)."""
    settings.API_RESPONSE_CACHE = False
    paths = [path for path in expected(site) if "?" not in path]

    def queries_of_every_read() -> list[int]:
        counts = []
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            counts.append(len(queries.captured_queries))
        return counts

    queries_of_every_read()  # the lists' counts stored (API_COUNT_CACHE): steady state
    with_keys = queries_of_every_read()
    for name in (
        "articles.api.views.article_keys",
        "articles.api.views.article_list_keys",
        "articles.api.views.term_keys",
        "comments.api.public.comment_views.thread_keys",
        "wordpress_api.views.wordpress_keys",
    ):
        monkeypatch.setattr(name, lambda *args, **kwargs: [])
    assert keys_of(client.get(paths[2])) == {"all"}  # the keys are gone indeed
    assert queries_of_every_read() == with_keys


def test_private_answers_carry_no_keys(client, staff_client, site, settings):
    settings.API_RESPONSE_CACHE = False
    article = site["article"]
    # A preview (a draft's words for the token's holder): private.
    from articles.previews import preview_token  # noqa: PLC0415

    token = preview_token(article=site["draft"])
    private = [
        client.get(f"/api/v1/articles/{site['draft'].slug}/?preview={token}"),
        staff_client.get("/api/v1/staff/comments/"),
        client.get(f"/api/v1/articles/{site['draft'].slug}/"),  # 404
        client.post(
            f"/api/v1/articles/{article.slug}/comments/",
            {"author_name": "A", "author_email": "a@example.org", "body": "Hello"},
            content_type="application/json",
        ),
    ]
    for response in private:
        assert "Surrogate-Key" not in response, response.request["PATH_INFO"]
        assert "Cache-Tag" not in response
        assert not response.get("Cache-Control", "").startswith("public")
