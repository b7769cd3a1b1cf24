"""The WordPress routes run a fixed number of queries whatever the page size (embeds
included), and share the response cache with our own API: a repeated read is a hit
(no query), a visible change is seen at once, an editor's draft invalidates nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.services import article_publish
from comments.moderating import comments_moderate
from tests.comments.helpers import make_comment
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, TagFactory
from tests.images import rendered_image

pytestmark = pytest.mark.django_db

V2 = "/wp-json/wp/v2"


def fill(n: int, tmp_path, settings) -> list[Article]:
    """n visible articles, each with its own category, author, two tags, a lead image
    and two approved comments (one a reply): every relation a page can embed."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMAGE_RENDITION_WIDTHS = [160]
    root = CategoryFactory()
    articles = []
    for i in range(n):
        article = ArticleFactory(
            category=CategoryFactory(parent=root),
            author=AuthorFactory(),
            tags=[TagFactory(), TagFactory()],
            lead_image=rendered_image(alt_text=f"Picture {i}"),
            published_at=timezone.now() - timedelta(hours=i + 1),
        )
        top = make_comment(article, status="approved")
        make_comment(article, status="approved", parent=top)
        articles.append(article)
    return articles


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return len(queries.captured_queries)


# (url, queries): the COUNT, the page, the next scheduled publication (how long the
# answer stays right); for posts (and a comment's embedded post) also the moderation
# policy (comment_status) and the page's tags; one query per relation embedded.
COLLECTIONS = [
    (f"{V2}/posts?per_page=100", 5),
    (f"{V2}/posts?per_page=100&_embed", 10),
    (f"{V2}/posts?per_page=100&_embed=author,wp:term", 8),
    (f"{V2}/categories?per_page=100", 4),
    (f"{V2}/tags?per_page=100", 3),
    (f"{V2}/users?per_page=100", 3),
    (f"{V2}/media?per_page=100", 3),
    (f"{V2}/comments?per_page=100", 3),
    (f"{V2}/comments?per_page=100&_embed", 6),
]


@pytest.mark.parametrize("url, expected", COLLECTIONS)
def test_collections_run_a_fixed_number_of_queries(
    api_client, django_assert_num_queries, tmp_path, settings, url, expected
):
    fill(1, tmp_path, settings)
    with django_assert_num_queries(expected):
        assert api_client.get(url).status_code == 200
    fill(6, tmp_path, settings)
    with django_assert_num_queries(expected):
        response = api_client.get(url)
    assert len(response.json()) >= 6


def test_items_run_a_fixed_number_of_queries(
    api_client, django_assert_num_queries, tmp_path, settings
):
    article = fill(2, tmp_path, settings)[0]
    comment = article.comments.first()
    for url, expected in [
        (f"{V2}/posts/{article.pk}", 4),
        (f"{V2}/posts/{article.pk}?_embed", 9),
        (f"{V2}/categories/{article.category_id}", 3),
        (f"{V2}/tags/{article.tags.first().pk}", 2),
        (f"{V2}/users/{article.author_id}", 2),
        (f"{V2}/media/{article.lead_image_id}", 2),
        (f"{V2}/comments/{comment.pk}", 2),
    ]:
        with django_assert_num_queries(expected):
            assert api_client.get(url).status_code == 200, url


# --- the response cache -------------------------------------------------------------------

PAGES = (f"{V2}/posts", f"{V2}/categories", f"{V2}/comments")


@pytest.fixture
def warm(api_client, response_cache_on):
    story = ArticleFactory(slug="story")
    make_comment(story, status="approved")
    for page in PAGES:
        count_queries(api_client, page)
    assert [count_queries(api_client, page) for page in PAGES] == [0, 0, 0]
    return api_client, story


def test_a_repeated_read_is_a_hit_with_public_cache_control(warm):
    client, _ = warm
    response = client.get(f"{V2}/posts")
    assert "public" in response["Cache-Control"]
    assert response["X-WP-Total"] == "1"


def test_a_draft_invalidates_nothing(warm):
    client, story = warm
    draft = ArticleFactory(
        status=Article.Status.DRAFT, category=story.category, author=story.author
    )
    draft.title = "Still working"
    draft.save()

    assert [count_queries(client, page) for page in PAGES] == [0, 0, 0]


def test_publishing_is_seen_at_once(warm):
    client, story = warm
    draft = ArticleFactory(
        status=Article.Status.DRAFT, slug="breaking", category=story.category, author=story.author
    )

    article_publish(article=draft)

    assert "breaking" in [post["slug"] for post in client.get(f"{V2}/posts").json()]


def test_an_approved_comment_is_seen_at_once(warm):
    client, story = warm
    held = make_comment(story, status="pending", body="Worth the wait")
    assert count_queries(client, f"{V2}/comments") == 0

    comments_moderate(ids=[held.pk], status="approved")

    bodies = [c["content"]["rendered"] for c in client.get(f"{V2}/comments").json()]
    assert "<p>Worth the wait</p>" in bodies
