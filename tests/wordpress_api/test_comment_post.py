"""POST /wp-json/wp/v2/comments: WordPress's anonymous comment posting, through our
moderation pipeline, answered with WordPress's codes; nothing half-written, nothing
private echoed."""

import json

import pytest

from articles.models import Article
from comments.models import Comment, ModerationAction
from tests.comments.helpers import make_comment, set_policy
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

URL = "/wp-json/wp/v2/comments"
EMAIL = "wp.reader@example.org"


@pytest.fixture
def article():
    set_policy(default_status="pending", flood_interval_seconds=0, approved_comments_required=0)
    return ArticleFactory(slug="open-story")


def post(api_client, payload, **extra):
    return api_client.post(URL, data=json.dumps(payload), content_type="application/json", **extra)


def comment(article, **overrides):
    return {
        "post": article.pk,
        "author_name": "Wendy Reader",
        "author_email": EMAIL,
        "content": "A thoughtful remark.",
        **overrides,
    }


def test_a_held_comment_is_201_with_status_hold_and_a_location(api_client, article):
    response = post(api_client, comment(article))

    assert response.status_code == 201
    body = response.json()
    stored = Comment.objects.get()
    assert body["id"] == stored.pk
    assert body["status"] == "hold"
    assert body["post"] == article.pk and body["parent"] == 0
    assert body["content"] == {"rendered": "<p>A thoughtful remark.</p>"}
    assert response["Location"] == f"http://testserver{URL}/{stored.pk}"
    assert EMAIL not in response.content.decode()
    assert stored.status == Comment.Status.PENDING
    assert stored.author_email == EMAIL
    # The pipeline's audit trail, as for any comment.
    assert ModerationAction.objects.filter(comment=stored).count() == 1


def test_an_approved_comment_and_a_reply_are_published(api_client, article):
    set_policy(default_status="approved")
    parent = make_comment(article, status="approved")

    response = post(api_client, comment(article, parent=parent.pk))

    assert response.status_code == 201
    assert response.json()["status"] == "approved"
    assert response.json()["parent"] == parent.pk
    listed = api_client.get(f"{URL}?post={article.pk}").json()
    assert response.json()["id"] in [c["id"] for c in listed]
    article.refresh_from_db()
    assert article.comment_count == 2


def test_form_encoded_posts_work_as_wordpress_forms_send_them(api_client, article):
    response = api_client.post(URL, comment(article))

    assert response.status_code == 201


def test_spam_is_answered_like_a_held_comment(api_client, article):
    set_policy(blocklist_keywords="cheap-pills")

    response = post(api_client, comment(article, content="cheap-pills here"))

    assert response.status_code == 201
    assert response.json()["status"] == "hold"
    assert Comment.objects.get().status == Comment.Status.SPAM


def test_a_duplicate_is_409_comment_duplicate(api_client, article):
    assert post(api_client, comment(article)).status_code == 201

    response = post(api_client, comment(article))

    assert response.status_code == 409
    assert response.json()["code"] == "comment_duplicate"
    assert Comment.objects.count() == 1


def test_a_flood_is_400_comment_flood_as_wordpress_answers_it(api_client, article):
    set_policy(flood_interval_seconds=60)
    assert post(api_client, comment(article)).status_code == 201

    response = post(
        api_client, comment(article, content="Something else", author_email="b@example.org")
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "comment_flood"
    assert body["data"]["status"] == 400
    assert body["data"]["retry_after"] >= 1
    assert Comment.objects.count() == 1


def test_closed_comments_are_403_rest_comment_closed(api_client, article):
    Article.objects.filter(pk=article.pk).update(comments_enabled=False)

    response = post(api_client, comment(article))

    assert response.status_code == 403
    assert response.json()["code"] == "rest_comment_closed"
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "overrides, status, code",
    [
        ({"author_name": ""}, 400, "rest_comment_author_data_required"),
        ({"author_email": ""}, 400, "rest_comment_author_data_required"),
        ({"author_email": "not-an-address"}, 400, "rest_invalid_param"),
        ({"author_url": "javascript:alert(1)"}, 400, "rest_invalid_param"),
        ({"content": "   "}, 400, "rest_comment_content_invalid"),
        ({"content": "x" * 100_000}, 400, "comment_content_column_length"),
        ({"post": 0}, 403, "rest_comment_invalid_post_id"),
        ({"post": 999999}, 403, "rest_comment_invalid_post_id"),
        ({"post": "abc"}, 400, "rest_invalid_param"),
        ({"parent": 999999}, 400, "rest_comment_invalid_parent"),
        ({"author_name": ["a", "list"]}, 400, "rest_invalid_param"),
        ({"status": "approved", "author": 3}, 401, "rest_comment_invalid_author"),
        ({"type": "pingback"}, 400, "rest_invalid_comment_type"),
        ({"honeypot": [1.5, True]}, 400, "rest_invalid_param"),
    ],
)
def test_bad_input_gets_wordpress_codes_and_stores_nothing(
    api_client, article, overrides, status, code
):
    response = post(api_client, comment(article, **overrides))

    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["data"]["status"] == status
    assert not Comment.objects.exists()
    assert EMAIL not in response.content.decode()


def test_the_documented_body_names_every_field_the_route_reads(api_client):
    # The schema fuzzer sent a list as `honeypot`, which the route refuses (above): a
    # body the schema allowed, since it did not name the field.
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    fields = schema["components"]["schemas"]["WpCommentCreate"]["properties"]

    read = {"post", "parent", "author_name", "author_email", "author_url", "content"}
    assert read | {"honeypot"} <= set(fields)
    assert fields["honeypot"]["type"] == "string"


def test_a_draft_cannot_be_commented(api_client, article):
    draft = ArticleFactory(status=Article.Status.DRAFT)

    response = post(api_client, comment(draft))

    assert response.status_code == 403
    assert response.json()["code"] == "rest_comment_invalid_post_id"


def test_broken_json_and_unknown_methods_answer_in_wordpress_shape(api_client, article):
    broken = api_client.post(URL, data=b'{"post": ', content_type="application/json")
    assert broken.status_code == 400
    assert broken.json()["code"] == "rest_invalid_json"
    bad_bytes = api_client.post(URL, data=b'{"content": "\xff"}', content_type="application/json")
    assert bad_bytes.status_code == 400
    assert set(bad_bytes.json()) == {"code", "message", "data"}
    patch = api_client.patch(f"{URL}/1", data="{}", content_type="application/json")
    assert patch.status_code == 405
    assert patch.json()["code"] == "rest_no_route"


def test_posting_shares_the_comment_throttle_of_our_own_api(api_client, article, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**SimpleRateThrottle.THROTTLE_RATES, "comment_post": "2/minute"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    own = api_client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        data=json.dumps({"author_name": "A", "author_email": "a@example.org", "body": "One"}),
        content_type="application/json",
    )
    assert own.status_code in (201, 202)
    assert post(api_client, comment(article)).status_code == 201

    throttled = post(api_client, comment(article, content="Third"))

    assert throttled.status_code == 429
    assert throttled.json()["code"] == "rest_too_many_requests"
    assert int(throttled["Retry-After"]) >= 1
    assert Comment.objects.count() == 2
