"""GET /api/v1/articles/{slug}/comments/ and the comment figures on the article API."""

import base64
from datetime import timedelta
from functools import partial
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from comments.moderating import comments_moderate
from tests.comments import helpers
from tests.comments.helpers import PUBLIC_FIELDS, WAYS_TO_CLOSE, comments_url, set_policy
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

make_comment = partial(helpers.make_comment, user_agent="SecretAgent/1.0")


def listed_ids(client, article) -> list[int]:
    response = client.get(comments_url(article))
    assert response.status_code == 200
    return [item["id"] for item in response.json()["results"]]


def comment_count(client, article) -> tuple[int, int]:
    """The article's comment_count as the list and the detail endpoints show it."""
    listing = client.get("/api/v1/articles/", {"page_size": 100}).json()["results"]
    in_list = next(item["comment_count"] for item in listing if item["slug"] == article.slug)
    detail = client.get(f"/api/v1/articles/{article.slug}/").json()["comment_count"]
    return in_list, detail


# --- what is listed ------------------------------------------------------------------------


def test_only_approved_comments_are_listed_oldest_first(api_client, article):
    first = make_comment(article)
    make_comment(article, status="pending")
    make_comment(article, status="spam")
    make_comment(article, status="removed")
    second = make_comment(article)
    make_comment(ArticleFactory())  # another article's

    assert listed_ids(api_client, article) == [first.pk, second.pk]


def test_order_is_by_submission_time_not_id(api_client, article):
    later = make_comment(article, submitted_at=timezone.now() - timedelta(minutes=1))
    earlier = make_comment(article, submitted_at=timezone.now() - timedelta(hours=2))

    assert listed_ids(api_client, article) == [earlier.pk, later.pk]


def test_listed_comment_has_exactly_the_public_fields(api_client, article):
    comment = make_comment(
        article,
        author_name="Grace",
        author_url="https://grace.example.org/",
        body="Hello",
    )

    response = api_client.get(comments_url(article))

    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert set(item) == PUBLIC_FIELDS
    assert item["id"] == comment.pk
    assert item["parent"] is None
    assert item["author_name"] == "Grace"
    assert item["author_url"] == "https://grace.example.org/"
    assert item["body"] == "Hello"
    assert item["body_html"] == "<p>Hello</p>"
    assert item["depth"] == 0
    text = response.content.decode()
    for private in (comment.author_email, "198.51.100.200", "SecretAgent", "approved"):
        assert private not in text


def test_moderation_changes_what_is_listed(api_client, article):
    comment = make_comment(article, status="pending")
    assert listed_ids(api_client, article) == []

    comments_moderate(ids=[comment.pk], status="approved")
    assert listed_ids(api_client, article) == [comment.pk]

    comments_moderate(ids=[comment.pk], status="spam")
    assert listed_ids(api_client, article) == []


def test_replies_carry_parent_and_depth(api_client, article):
    root = make_comment(article)
    reply = make_comment(article, parent=root)
    nested = make_comment(article, parent=reply)
    sibling = make_comment(article)

    results = api_client.get(comments_url(article)).json()["results"]

    assert [(c["id"], c["parent"], c["depth"]) for c in results] == [
        (root.pk, None, 0),
        (reply.pk, root.pk, 1),
        (nested.pk, reply.pk, 2),
        (sibling.pk, None, 0),
    ]


@pytest.mark.parametrize("status", ["removed", "spam", "pending"])
def test_replies_under_a_hidden_comment_are_not_listed(api_client, article, status):
    root = make_comment(article)
    reply = make_comment(article, parent=root)
    nested = make_comment(article, parent=reply)
    other = make_comment(article)
    assert listed_ids(api_client, article) == [root.pk, reply.pk, nested.pk, other.pk]

    comments_moderate(ids=[root.pk], status=status)

    assert listed_ids(api_client, article) == [other.pk]


def test_restoring_a_hidden_comment_lists_its_approved_replies_again(api_client, article):
    root = make_comment(article)
    reply = make_comment(article, parent=root)
    held_reply = make_comment(article, parent=root, status="pending")
    comments_moderate(ids=[root.pk], status="removed")

    comments_moderate(ids=[root.pk], status="approved")

    assert listed_ids(api_client, article) == [root.pk, reply.pk]
    assert held_reply.pk not in listed_ids(api_client, article)


def test_approved_reply_to_a_pending_comment_appears_once_the_parent_is_approved(
    api_client, article
):
    root = make_comment(article, status="pending")
    reply = make_comment(article, parent=root, status="approved")
    assert listed_ids(api_client, article) == []

    comments_moderate(ids=[root.pk], status="approved")

    assert listed_ids(api_client, article) == [root.pk, reply.pk]


# --- rendering -----------------------------------------------------------------------------


def test_body_html_escapes_markup(api_client, article):
    make_comment(article, body='<script>alert("x")</script> & <b>bold</b>')

    (item,) = api_client.get(comments_url(article)).json()["results"]

    assert "<script>" not in item["body_html"]
    assert "<b>" not in item["body_html"]
    assert "&lt;script&gt;" in item["body_html"]
    assert "&amp;" in item["body_html"]
    assert item["body"] == '<script>alert("x")</script> & <b>bold</b>'


def test_body_html_links_urls_with_nofollow_ugc(api_client, article):
    make_comment(article, body="See https://example.org/page. Also www.example.com")

    (item,) = api_client.get(comments_url(article)).json()["results"]

    assert (
        '<a href="https://example.org/page" rel="nofollow ugc">https://example.org/page</a>.'
        in item["body_html"]
    )
    assert (
        '<a href="http://www.example.com" rel="nofollow ugc">www.example.com</a>'
        in (item["body_html"])
    )


def test_body_html_does_not_link_javascript_urls(api_client, article):
    make_comment(article, body="click javascript:alert(1) now")

    (item,) = api_client.get(comments_url(article)).json()["results"]

    assert "<a" not in item["body_html"]


def test_body_html_keeps_paragraphs_and_line_breaks(api_client, article):
    make_comment(article, body="one\ntwo\n\nthree")

    (item,) = api_client.get(comments_url(article)).json()["results"]

    assert item["body_html"] == "<p>one<br>two</p><p>three</p>"


# --- pagination ----------------------------------------------------------------------------


def test_cursor_pagination_walks_every_comment_in_order(api_client, article):
    expected = [make_comment(article).pk for _ in range(5)]
    make_comment(article, status="pending")

    seen, pages = [], []
    url = comments_url(article) + "?page_size=2"
    while url:
        response = api_client.get(url)
        assert response.status_code == 200
        page = response.json()
        assert set(page) == {"next", "previous", "comment_count", "results"}
        assert page["comment_count"] == 5  # the approved ones, on every page
        pages.append(len(page["results"]))
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
        if url:
            parts = urlsplit(url)
            url = f"{parts.path}?{parts.query}"

    assert seen == expected
    assert pages == [2, 2, 1]


def test_cursor_previous_link_goes_back(api_client, article):
    ids = [make_comment(article).pk for _ in range(4)]
    first = api_client.get(comments_url(article), {"page_size": 2}).json()
    assert first["previous"] is None

    second = api_client.get(first["next"]).json()
    back = api_client.get(second["previous"]).json()

    assert [c["id"] for c in second["results"]] == ids[2:]
    assert [c["id"] for c in back["results"]] == ids[:2]


def test_default_page_size_is_twenty(api_client, article):
    for _ in range(21):
        make_comment(article)

    page = api_client.get(comments_url(article)).json()

    assert len(page["results"]) == 20
    assert page["next"] is not None


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "x" * 500,
        base64.b64encode(b"p=2024").decode(),
        base64.b64encode(b"p=not-a-date&o=1").decode(),
        base64.b64encode(b"p=2024-13-45 00:00:00").decode(),
        base64.b64encode(b"p=0001-01-01 00:00:00+14:00").decode(),
        base64.b64encode(b"p=9999-12-31 23:59:59-12:00").decode(),
        base64.b64encode(b"p=2024-01-01\x00").decode(),
        base64.b64encode(b"o=-5").decode(),
        base64.b64encode(b"r=x").decode(),
        "",  # `cursor=`: a link built wrong, not the first page (#16)
        ["garbage", ""],  # repeated: the server reads the last
    ],
)
def test_garbage_cursor_is_a_json_404(api_client, article, cursor):
    make_comment(article)

    response = api_client.get(comments_url(article), {"cursor": cursor})

    assert response.status_code == 404
    assert "detail" in response.json()


def test_hand_made_cursor_with_a_valid_position_works(api_client, article):
    old = make_comment(article, submitted_at=timezone.now() - timedelta(days=3))
    new = make_comment(article, submitted_at=timezone.now() - timedelta(hours=1))
    since = (timezone.now() - timedelta(days=2)).isoformat()
    cursor = base64.b64encode(urlencode({"p": since}).encode()).decode()

    response = api_client.get(comments_url(article), {"cursor": cursor})

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [new.pk]
    assert old.pk != new.pk


def test_a_huge_page_size_is_capped_without_error(api_client, article):
    make_comment(article)

    response = api_client.get(comments_url(article), {"page_size": "100000"})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


@pytest.mark.parametrize("page_size", ["abc", "-1", "0"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_400(api_client, article, page_size):
    # Issue #16: refused, not silently replaced by the default.
    make_comment(article)

    response = api_client.get(comments_url(article), {"page_size": page_size})

    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


# --- invisible articles ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "offset"),
    [
        (Article.Status.DRAFT, timedelta(hours=-1)),
        (Article.Status.SCHEDULED, timedelta(hours=1)),
        (Article.Status.PUBLISHED, timedelta(hours=1)),
        (Article.Status.ARCHIVED, timedelta(hours=-1)),
    ],
    ids=["draft", "scheduled-future", "published-future", "archived"],
)
def test_comments_of_an_article_the_public_cannot_see_are_404(api_client, status, offset):
    article = ArticleFactory()
    make_comment(article)
    Article.objects.filter(pk=article.pk).update(
        status=status, published_at=timezone.now() + offset
    )

    response = api_client.get(comments_url(article))

    assert response.status_code == 404
    assert "detail" in response.json()


def test_comments_of_an_unknown_article_are_404(api_client):
    response = api_client.get("/api/v1/articles/no-such-article/comments/")

    assert response.status_code == 404
    assert "detail" in response.json()


def test_comments_stay_listed_when_comments_close(api_client, article):
    comment = make_comment(article)
    set_policy(comments_open=False)

    assert listed_ids(api_client, article) == [comment.pk]


# --- the article API's comment figures ---------------------------------------------------------


def test_comment_count_follows_moderation(api_client, article):
    pending = make_comment(article, status="pending")
    make_comment(article, status="spam")
    assert comment_count(api_client, article) == (0, 0)

    comments_moderate(ids=[pending.pk], status="approved")
    assert comment_count(api_client, article) == (1, 1)

    make_comment(article, status="approved")
    assert comment_count(api_client, article) == (2, 2)

    comments_moderate(ids=[pending.pk], status="removed")
    assert comment_count(api_client, article) == (1, 1)

    comments_moderate(ids=[pending.pk], status="removed")  # no change, no double count
    assert comment_count(api_client, article) == (1, 1)


def test_comment_count_counts_approved_replies_under_hidden_comments(api_client, article):
    # Documented: comment_count is "approved only" (a reply whose parent is hidden is
    # still an approved comment, just not listed).
    root = make_comment(article)
    make_comment(article, parent=root)
    comments_moderate(ids=[root.pk], status="removed")

    assert comment_count(api_client, article) == (1, 1)


def test_approving_through_the_staff_api_updates_comment_count(api_client, staff_client, article):
    comment = make_comment(article, status="pending")

    response = staff_client.patch(
        f"/api/v1/moderation/comments/{comment.pk}/", {"status": "approved"}, format="json"
    )

    assert response.status_code == 200
    assert comment_count(api_client, article) == (1, 1)


def test_article_detail_says_comments_are_open(api_client, article):
    detail = api_client.get(f"/api/v1/articles/{article.slug}/").json()

    assert detail["comments_open"] is True
    assert detail["comments_url"].endswith(comments_url(article))


@pytest.mark.parametrize("close", WAYS_TO_CLOSE)
def test_article_detail_says_comments_are_closed(api_client, close):
    article = ArticleFactory(published_at=timezone.now() - timedelta(days=10))
    close(article)

    detail = api_client.get(f"/api/v1/articles/{article.slug}/").json()

    assert detail["comments_open"] is False


# --- query counts ------------------------------------------------------------------------------


def _thread(article, size: int) -> None:
    """`size` approved comments, every other one a reply to the one before."""
    parent = None
    for i in range(size):
        parent = make_comment(article, parent=parent if i % 2 else None)


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_comment_list_query_count_does_not_grow_with_comments(
    api_client, django_assert_num_queries
):
    small, large = ArticleFactory(), ArticleFactory()
    _thread(small, 1)
    _thread(large, 50)

    with django_assert_num_queries(2):  # the article, the page of comments
        response = api_client.get(comments_url(small) + "?page_size=100")
    assert len(response.json()["results"]) == 1

    with django_assert_num_queries(2):
        response = api_client.get(comments_url(large) + "?page_size=100")
    assert len(response.json()["results"]) == 50


def test_article_list_query_count_does_not_grow_with_articles(api_client):
    article = ArticleFactory()
    make_comment(article)
    one = _queries_for(api_client, "/api/v1/articles/?page_size=100")

    for _ in range(49):
        make_comment(ArticleFactory())
    fifty = _queries_for(api_client, "/api/v1/articles/?page_size=100")

    listing = api_client.get("/api/v1/articles/?page_size=100").json()
    assert listing["count"] == 50
    assert all(item["comment_count"] == 1 for item in listing["results"])
    assert fifty == one
