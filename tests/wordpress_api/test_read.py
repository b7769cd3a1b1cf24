"""/wp-json/wp/v2 read endpoints: WordPress's shapes, parameters, headers and errors over
our articles, terms, bylines, pictures and comments; only what the public may see."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.comments.helpers import make_comment
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, TagFactory

pytestmark = pytest.mark.django_db

V2 = "/wp-json/wp/v2"
DATE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$"


@pytest.fixture
def newsroom():
    tech = CategoryFactory(name="Technology", slug="technology")
    industry = CategoryFactory(name="Tech Industry", slug="tech-industry", parent=tech)
    cameras = TagFactory(name="Cameras", slug="cameras")
    leica = TagFactory(name="Leica", slug="leica")
    author = AuthorFactory(name="Dana Desk", slug="dana-desk", bio="Covers <b>cameras</b>.")
    now = timezone.now()
    articles = [
        ArticleFactory(
            title=f"Story & {n}",
            slug=f"story-{n}",
            category=industry if n % 2 else tech,
            author=author,
            published_at=now - timedelta(hours=n + 1),
            tags=[cameras, leica] if n == 0 else [cameras],
        )
        for n in range(5)
    ]
    draft = ArticleFactory(
        slug="the-draft", status=Article.Status.DRAFT, author=author, category=tech
    )
    scheduled = ArticleFactory(
        slug="the-future",
        status=Article.Status.SCHEDULED,
        published_at=now + timedelta(days=1),
        category=tech,
    )
    return {
        "tech": tech,
        "industry": industry,
        "cameras": cameras,
        "leica": leica,
        "author": author,
        "articles": articles,
        "hidden": [draft, scheduled],
    }


def test_posts_list_in_wordpress_shape_newest_first(api_client, newsroom):
    response = api_client.get(f"{V2}/posts")

    assert response.status_code == 200
    posts = response.json()
    assert [p["slug"] for p in posts] == [f"story-{n}" for n in range(5)]
    first = posts[0]
    article = newsroom["articles"][0]
    assert first["id"] == article.pk
    assert first["type"] == "post" and first["status"] == "publish"
    assert first["title"] == {"rendered": "Story &amp; 0"}
    assert first["content"] == {"rendered": "<p>Body text.</p>", "protected": False}
    assert first["excerpt"] == {"rendered": "<p>An excerpt.</p>\n", "protected": False}
    assert first["author"] == newsroom["author"].pk
    assert first["categories"] == [newsroom["tech"].pk]
    assert first["tags"] == [newsroom["cameras"].pk, newsroom["leica"].pk]
    assert first["comment_status"] == "open"
    assert first["featured_media"] == 0
    import re

    for field in ("date", "date_gmt", "modified", "modified_gmt"):
        assert re.match(DATE, first[field]), field
    assert first["_links"]["self"][0]["href"] == f"http://testserver{V2}/posts/{article.pk}"
    assert first["_links"]["replies"][0]["href"].endswith(f"/comments?post={article.pk}")
    assert response["X-WP-Total"] == "5"
    assert response["X-WP-TotalPages"] == "1"
    assert 'rel="https://api.w.org/"' in response["Link"]


def test_drafts_and_scheduled_articles_are_never_posts(api_client, newsroom):
    slugs = {p["slug"] for p in api_client.get(f"{V2}/posts?per_page=100").json()}
    assert slugs.isdisjoint({"the-draft", "the-future"})
    for hidden in newsroom["hidden"]:
        answer = api_client.get(f"{V2}/posts/{hidden.pk}")
        assert answer.status_code == 404
        assert answer.json() == {
            "code": "rest_post_invalid_id",
            "message": "Invalid post ID.",
            "data": {"status": 404},
        }


def test_pages_headers_and_links(api_client, newsroom):
    response = api_client.get(f"{V2}/posts?per_page=2&page=2")

    assert [p["slug"] for p in response.json()] == ["story-2", "story-3"]
    assert response["X-WP-Total"] == "5"
    assert response["X-WP-TotalPages"] == "3"
    link = response["Link"]
    assert 'per_page=2&page=1>; rel="prev"' in link
    assert 'per_page=2&page=3>; rel="next"' in link


def test_a_page_past_the_last_is_wordpress_error(api_client, newsroom):
    response = api_client.get(f"{V2}/posts?per_page=2&page=4")

    assert response.status_code == 400
    assert response.json()["code"] == "rest_post_invalid_page_number"


@pytest.mark.parametrize(
    "query, parameter, message",
    [
        ("per_page=0", "per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)"),
        ("per_page=101", "per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)"),
        ("per_page=", "per_page", "per_page is not of type integer."),
        ("page=abc", "page", "page is not of type integer."),
        ("page=0", "page", "page must be greater than or equal to 1"),
        ("categories=x", "categories", "categories[0] is not of type integer."),
        ("order=up", "order", "order is not one of asc, desc."),
        ("after=yesterday", "after", "Invalid date."),
        ("before=9999-12-31T23:59:59-01:00", "before", "Invalid date."),
        ("sticky=maybe", "sticky", "sticky is not of type boolean."),
        # WordPress's rest_is_boolean accepts true, false, 1 and 0, not an empty value.
        ("sticky=", "sticky", "sticky is not of type boolean."),
    ],
)
def test_bad_parameters_are_rest_invalid_param(api_client, newsroom, query, parameter, message):
    response = api_client.get(f"{V2}/posts?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rest_invalid_param"
    assert body["message"] == f"Invalid parameter(s): {parameter}"
    assert body["data"]["status"] == 400
    assert body["data"]["params"] == {parameter: message}


@pytest.mark.parametrize("terms", ["categories", "tags"])
@pytest.mark.parametrize("value, status", [("", 400), ("yes", 400), ("0", 200), ("TRUE", 200)])
def test_hide_empty_is_a_boolean_as_wordpress_reads_one(api_client, newsroom, terms, value, status):
    # Found by the schema fuzzer (tests/security/test_schema_fuzz.py): `?hide_empty=` was
    # read as false and answered 200, though the schema says boolean.
    response = api_client.get(f"{V2}/{terms}?hide_empty={value}")

    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["data"]["params"] == {
            "hide_empty": "hide_empty is not of type boolean."
        }


def test_filters(api_client, newsroom):
    articles = newsroom["articles"]

    def slugs(query):
        response = api_client.get(f"{V2}/posts?{query}")
        assert response.status_code == 200, response.content
        return [p["slug"] for p in response.json()]

    assert slugs(f"categories={newsroom['industry'].pk}") == ["story-1", "story-3"]
    assert slugs(f"categories_exclude={newsroom['industry'].pk}") == [
        "story-0",
        "story-2",
        "story-4",
    ]
    assert slugs(f"tags={newsroom['leica'].pk}") == ["story-0"]
    assert slugs(f"tags_exclude={newsroom['leica'].pk}") == [
        "story-1",
        "story-2",
        "story-3",
        "story-4",
    ]
    assert slugs("slug=story-3,story-1") == ["story-1", "story-3"]
    assert slugs("slug[]=story-3&slug[]=story-2") == ["story-2", "story-3"]
    assert slugs(f"include={articles[4].pk},{articles[0].pk}&orderby=include") == [
        "story-4",
        "story-0",
    ]
    assert slugs(f"exclude={articles[0].pk}&per_page=1") == ["story-1"]
    assert slugs("order=asc&per_page=2") == ["story-4", "story-3"]
    assert slugs("orderby=title&order=asc&per_page=1") == ["story-0"]
    assert slugs("offset=3") == ["story-3", "story-4"]
    assert slugs(f"author={newsroom['author'].pk}&per_page=1") == ["story-0"]
    assert slugs("author=999999") == []
    assert slugs("search=Story 2") == ["story-2"]
    # Halfway between story-1 and story-2, in UTC with an offset, then as a site-local
    # time without one (the site's zone is UTC here).
    cutoff = (articles[2].published_at + timedelta(minutes=30)).astimezone(UTC)
    assert slugs(f"after={cutoff:%Y-%m-%dT%H:%M:%S}%2B00:00") == ["story-0", "story-1"]
    assert slugs(f"before={cutoff:%Y-%m-%dT%H:%M:%S}") == ["story-2", "story-3", "story-4"]
    assert slugs("sticky=true") == []


def test_relevance_needs_a_search_and_other_statuses_are_forbidden(api_client, newsroom):
    assert api_client.get(f"{V2}/posts?orderby=relevance").json()["code"] == (
        "rest_no_search_term_defined"
    )
    forbidden = api_client.get(f"{V2}/posts?status=draft")
    assert forbidden.status_code == 401
    assert forbidden.json()["code"] == "rest_forbidden_status"
    edit = api_client.get(f"{V2}/posts?context=edit")
    assert edit.status_code == 401
    assert edit.json()["code"] == "rest_forbidden_context"


def test_fields_keeps_only_what_is_named(api_client, newsroom):
    response = api_client.get(f"{V2}/posts?_fields=id,title.rendered,slug&per_page=1")

    assert response.json() == [
        {
            "id": newsroom["articles"][0].pk,
            "title": {"rendered": "Story &amp; 0"},
            "slug": "story-0",
        }
    ]


def test_embed_puts_author_terms_and_replies_under_embedded(api_client, newsroom):
    article = newsroom["articles"][0]
    make_comment(article, status="approved", body="First!")
    make_comment(article, status="pending", body="Held back")

    post = api_client.get(f"{V2}/posts/{article.pk}?_embed").json()

    embedded = post["_embedded"]
    assert embedded["author"][0]["name"] == "Dana Desk"
    categories, tags = embedded["wp:term"]
    assert [c["slug"] for c in categories] == ["technology"]
    assert [t["slug"] for t in tags] == ["cameras", "leica"]
    assert [r["content"]["rendered"] for r in embedded["replies"][0]] == ["<p>First!</p>"]
    only_author = api_client.get(f"{V2}/posts/{article.pk}?_embed=author").json()["_embedded"]
    assert set(only_author) == {"author"}


def test_categories_and_tags(api_client, newsroom):
    categories = api_client.get(f"{V2}/categories").json()
    by_slug = {c["slug"]: c for c in categories}
    assert by_slug["tech-industry"]["parent"] == newsroom["tech"].pk
    assert by_slug["technology"]["parent"] == 0
    # WordPress counts the posts filed directly under a category: the draft and the
    # scheduled article are not counted.
    assert by_slug["technology"]["count"] == 3
    assert by_slug["tech-industry"]["count"] == 2
    assert by_slug["technology"]["taxonomy"] == "category"
    tags = api_client.get(f"{V2}/tags?orderby=count&order=desc").json()
    assert [(t["slug"], t["count"], t["taxonomy"]) for t in tags] == [
        ("cameras", 5, "post_tag"),
        ("leica", 1, "post_tag"),
    ]
    one = api_client.get(f"{V2}/categories/{newsroom['industry'].pk}").json()
    assert one["name"] == "Tech Industry"
    assert api_client.get(f"{V2}/tags/999999").json()["code"] == "rest_term_invalid"
    of_post = api_client.get(f"{V2}/tags?post={newsroom['articles'][0].pk}").json()
    assert [t["slug"] for t in of_post] == ["cameras", "leica"]


def test_users_are_bylines_with_visible_articles_and_public_fields_only(api_client, newsroom):
    AuthorFactory(name="No Stories Yet", slug="nobody", email="nobody@example.org")

    users = api_client.get(f"{V2}/users").json()

    assert [u["slug"] for u in users] == ["dana-desk"]
    user = users[0]
    assert set(user) == {"id", "name", "url", "description", "link", "slug", "meta", "_links"}
    assert user["description"] == "Covers &lt;b&gt;cameras&lt;/b&gt;."
    assert api_client.get(f"{V2}/users/{newsroom['author'].pk}").status_code == 200


def test_comments_are_the_listed_ones_on_visible_articles(api_client, newsroom):
    article = newsroom["articles"][0]
    shown = make_comment(article, status="approved", body="Visit https://example.com now")
    reply = make_comment(article, status="approved", parent=shown, body="Agreed")
    make_comment(article, status="pending", body="Held")
    make_comment(article, status="spam", body="Spam")
    make_comment(newsroom["hidden"][0], status="approved", body="On a draft")

    response = api_client.get(f"{V2}/comments?post={article.pk}&order=asc")

    comments = response.json()
    assert [c["id"] for c in comments] == [shown.pk, reply.pk]
    first = comments[0]
    assert first["content"]["rendered"] == (
        '<p>Visit <a href="https://example.com" rel="nofollow ugc">https://example.com</a> now</p>'
    )
    assert first["status"] == "approved" and first["type"] == "comment"
    assert first["parent"] == 0 and comments[1]["parent"] == shown.pk
    assert first["author"] == 0
    assert "author_email" not in first and "author_avatar_urls" not in first
    assert first["link"].endswith(f"#comment-{shown.pk}")
    assert response["X-WP-Total"] == "2"
    all_comments = api_client.get(f"{V2}/comments").json()
    assert {c["id"] for c in all_comments} == {shown.pk, reply.pk}
    assert api_client.get(f"{V2}/comments?status=hold").status_code == 401


def test_unknown_routes_are_rest_no_route_and_other_methods_405(api_client, newsroom):
    unknown = api_client.get("/wp-json/wp/v2/pages")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "rest_no_route"
    method = api_client.delete(f"{V2}/posts/{newsroom['articles'][0].pk}")
    assert method.status_code == 405
    assert method["Allow"] == "GET, HEAD, OPTIONS"
    assert method.json() == {
        "code": "rest_no_route",
        "message": "No route was found matching the URL and request method.",
        "data": {"status": 405},
    }


def test_index_lists_the_routes(api_client, newsroom):
    index = api_client.get("/wp-json/").json()

    assert index["namespaces"] == ["wp/v2"]
    assert "/wp/v2/posts" in index["routes"]
    assert "per_page" in index["routes"]["/wp/v2/posts"]["endpoints"][0]["args"]
    assert api_client.get("/wp-json/wp/v2").json()["namespace"] == "wp/v2"


def test_categories_in_the_object_form_with_children(api_client, newsroom):
    tech = newsroom["tech"].pk

    def slugs(query):
        return [p["slug"] for p in api_client.get(f"{V2}/posts?{query}").json()]

    assert slugs(f"categories[terms][]={tech}") == ["story-0", "story-2", "story-4"]
    assert slugs(f"categories[terms][]={tech}&categories[include_children]=true") == [
        f"story-{n}" for n in range(5)
    ]
    assert slugs(f"categories_exclude[terms]={tech}&categories_exclude[include_children]=1") == []


def test_browsers_on_other_origins_may_read_and_post(api_client, newsroom):
    read = api_client.get(f"{V2}/posts", HTTP_ORIGIN="https://frontend.example")
    assert read["Access-Control-Allow-Origin"] == "*"
    assert "X-WP-Total" in read["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in read

    preflight = api_client.options(
        f"{V2}/comments",
        HTTP_ORIGIN="https://frontend.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight["Access-Control-Allow-Headers"]


def test_search_finds_words_in_any_form_and_orderby_relevance_ranks_titles_first(
    api_client, newsroom
):
    body_only = ArticleFactory(
        slug="body-only", title="Quarterly figures", body="<p>A telescope arrived.</p>"
    )
    titled = ArticleFactory(
        slug="titled",
        title="Telescopes for everyone",
        body="<p>Nothing else.</p>",
        published_at=body_only.published_at - timedelta(days=1),
    )

    newest_first = api_client.get(f"{V2}/posts?search=telescope").json()
    ranked = api_client.get(f"{V2}/posts?search=telescope&orderby=relevance").json()

    assert [p["slug"] for p in newest_first] == ["body-only", "titled"]
    assert [p["slug"] for p in ranked] == ["titled", "body-only"]
    assert titled.pk != body_only.pk


def test_dates_with_any_iso_offset_are_read_in_utc(api_client, newsroom):
    # PostgreSQL refuses an offset beyond ±15:59 in its own input; ISO 8601 allows it.
    response = api_client.get(f"{V2}/posts?before=7137-06-17T00:00:00%2B22:29")

    assert response.status_code == 200
    assert len(response.json()) == 5
