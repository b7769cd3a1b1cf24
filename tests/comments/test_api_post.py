"""POST /api/v1/articles/{slug}/comments/: what readers may send and what they get back."""

import json
from datetime import timedelta
from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import Article
from comments.models import Comment, ModerationPolicy
from comments.moderating import comments_moderate
from tests.comments import helpers
from tests.comments.helpers import PUBLIC_FIELDS, WAYS_TO_CLOSE, comments_url, set_policy
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "ada.lovelace@example.com"


def valid_comment(**overrides) -> dict:
    data = {"author_name": "Ada", "author_email": EMAIL, "body": "A thoughtful remark."}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


make_comment = partial(helpers.make_comment, body_prefix="Earlier comment")


@pytest.fixture
def csrf_client():
    return APIClient(enforce_csrf_checks=True)


def assert_no_email_echo(response, email=EMAIL):
    text = response.content.decode("utf-8", errors="replace")
    assert email not in text
    assert "author_email" not in text


# --- accepted posts ------------------------------------------------------------------


def test_anonymous_json_post_needs_no_csrf_token(csrf_client, article):
    response = csrf_client.post(comments_url(article), valid_comment(), format="json")

    assert response.status_code == 202
    assert Comment.objects.filter(article=article, author_name="Ada").count() == 1


def test_anonymous_form_post_needs_no_csrf_token(csrf_client, article):
    response = csrf_client.post(
        comments_url(article),
        "author_name=Ada&author_email=ada.lovelace%40example.com&body=Hello+there",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 202, response.content
    comment = Comment.objects.get(article=article)
    assert (comment.author_name, comment.body) == ("Ada", "Hello there")


def test_anonymous_multipart_form_post_needs_no_csrf_token(csrf_client, article):
    response = csrf_client.post(comments_url(article), valid_comment(), format="multipart")

    assert response.status_code == 202
    assert Comment.objects.filter(article=article, author_name="Ada").count() == 1


def test_signed_in_reader_posting_without_csrf_token_is_forbidden(csrf_client, article):
    csrf_client.force_login(UserFactory())

    response = csrf_client.post(comments_url(article), valid_comment(), format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Comment.objects.count() == 0


def test_signed_in_reader_posting_with_csrf_token_is_accepted_and_linked(csrf_client, article):
    reader = UserFactory()
    csrf_client.force_login(reader)
    secret = "abcdefghijklmnopqrstuvwxyzABCDEF"  # a well-formed CSRF secret
    csrf_client.cookies["csrftoken"] = secret

    response = csrf_client.post(
        comments_url(article), valid_comment(), format="json", HTTP_X_CSRFTOKEN=secret
    )

    assert response.status_code == 202
    assert Comment.objects.get().user == reader


def test_post_answers_201_approved_when_policy_publishes_at_once(api_client, article):
    set_policy(default_status="approved", approved_comments_required=0)

    response = api_client.post(comments_url(article), valid_comment(), format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "approved"
    assert set(body) == PUBLIC_FIELDS | {"status", "edit_token"}
    stored = Comment.objects.get(pk=body["id"])
    assert stored.status == Comment.Status.APPROVED
    assert stored.is_listed
    assert Article.objects.get(pk=article.pk).comment_count == 1
    assert_no_email_echo(response)


def test_known_author_is_published_at_once(api_client, article):
    make_comment(article, author_email=EMAIL, status="approved")

    response = api_client.post(
        comments_url(article),
        valid_comment(body="Me again."),
        format="json",
        **helpers.proof_header(EMAIL),
    )

    assert response.status_code == 201
    assert response.json()["status"] == "approved"
    assert Comment.objects.get(pk=response.json()["id"]).status == Comment.Status.APPROVED


def test_known_author_email_is_matched_case_insensitively(api_client, article):
    make_comment(article, author_email=EMAIL, status="approved")

    response = api_client.post(
        comments_url(article),
        valid_comment(author_email=" Ada.Lovelace@EXAMPLE.com ", body="Shouting my address."),
        format="json",
        **helpers.proof_header(EMAIL),
    )

    assert response.status_code == 201
    assert Comment.objects.get(pk=response.json()["id"]).author_email == EMAIL


def test_a_known_authors_address_without_proof_is_held_like_a_new_one(api_client, article):
    make_comment(article, author_email=EMAIL, status="approved")

    # Anyone may type the address: without its commenter token the answer must not tell
    # that it has approved comments.
    response = api_client.post(
        comments_url(article), valid_comment(body="Me again, or am I?"), format="json"
    )

    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert Comment.objects.get(pk=response.json()["id"]).status == Comment.Status.PENDING


def test_held_comment_answers_202_pending_and_is_stored_pending(api_client, article):
    response = api_client.post(
        comments_url(article),
        valid_comment(author_url="https://ada.example.org/"),
        format="json",
        HTTP_USER_AGENT="TestBrowser/1.0",
        REMOTE_ADDR="192.0.2.10",
    )

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    assert body["author_url"] == "https://ada.example.org/"
    stored = Comment.objects.get(pk=body["id"])
    assert stored.status == Comment.Status.PENDING
    assert not stored.is_listed
    assert stored.ip_address == "192.0.2.10"
    assert stored.user_agent == "TestBrowser/1.0"
    assert stored.author_email == EMAIL
    assert Article.objects.get(pk=article.pk).comment_count == 0
    assert_no_email_echo(response)


def test_status_is_decided_by_the_pipeline_not_the_client(api_client, article):
    # Sending a status is refused outright (see the unknown-field tests); a clean post is
    # stored with the status the policy decides.
    refused = api_client.post(
        comments_url(article), valid_comment(status="approved"), format="json"
    )
    accepted = api_client.post(comments_url(article), valid_comment(), format="json")

    assert refused.status_code == 400
    assert accepted.status_code == 202
    assert list(Comment.objects.values_list("status", flat=True)) == [Comment.Status.PENDING]


def _post_spam_and_pending(api_client, article, spam_fields, spam_ip="192.0.2.66"):
    spam = api_client.post(
        comments_url(article),
        valid_comment(author_email="bot@spam.example", body="Buy now", **spam_fields),
        format="json",
        REMOTE_ADDR=spam_ip,
    )
    pending = api_client.post(
        comments_url(article),
        valid_comment(author_email="human@example.com", body="Real thoughts"),
        format="json",
        REMOTE_ADDR="192.0.2.80",
    )
    return spam, pending


def test_honeypot_spam_is_answered_exactly_like_a_held_comment(api_client, article):
    spam, pending = _post_spam_and_pending(api_client, article, {"honeypot": "http://x"})

    assert spam.status_code == pending.status_code == 202
    assert set(spam.json()) == set(pending.json())
    assert spam.json()["status"] == "pending"
    assert Comment.objects.get(pk=spam.json()["id"]).status == Comment.Status.SPAM
    assert Comment.objects.get(pk=pending.json()["id"]).status == Comment.Status.PENDING
    assert_no_email_echo(spam, "bot@spam.example")


@pytest.mark.parametrize(
    ("policy_fields", "spam_ip"),
    [
        ({"blocklist_emails": "bot@spam.example"}, "192.0.2.66"),
        ({"blocklist_domains": "spam.example"}, "192.0.2.66"),
        ({"blocklist_keywords": "buy now"}, "192.0.2.66"),
        ({"blocklist_ips": "192.0.2.64/30"}, "192.0.2.66"),
    ],
    ids=["email", "domain", "keyword", "ip-network"],
)
def test_blocklisted_comment_is_stored_as_spam_and_answered_like_pending(
    api_client, article, policy_fields, spam_ip
):
    set_policy(**policy_fields)

    spam, pending = _post_spam_and_pending(api_client, article, {}, spam_ip=spam_ip)

    assert spam.status_code == pending.status_code == 202
    assert set(spam.json()) == set(pending.json())
    assert spam.json()["status"] == "pending"
    assert Comment.objects.get(pk=spam.json()["id"]).status == Comment.Status.SPAM
    assert Comment.objects.get(pk=pending.json()["id"]).status == Comment.Status.PENDING


def test_spam_from_a_known_author_is_still_spam(api_client, article):
    make_comment(article, author_email=EMAIL, status="approved")
    set_policy(blocklist_keywords="casino")

    response = api_client.post(
        comments_url(article), valid_comment(body="Best casino bonus"), format="json"
    )

    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert Comment.objects.get(pk=response.json()["id"]).status == Comment.Status.SPAM


# --- field errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"author_name": None}, "author_name"),
        ({"author_name": ""}, "author_name"),
        ({"author_name": "   "}, "author_name"),
        ({"author_name": "x" * 101}, "author_name"),
        ({"author_name": {"first": "Ada"}}, "author_name"),
        ({"author_name": "Ada\x00Lovelace"}, "author_name"),
        ({"author_email": None}, "author_email"),
        ({"author_email": ""}, "author_email"),
        ({"author_email": "not-an-address"}, "author_email"),
        ({"author_email": "secret.person@@example.com"}, "author_email"),
        ({"author_email": "secret.person@example"}, "author_email"),
        ({"author_url": "javascript:alert(1)"}, "author_url"),
        ({"author_url": "data:text/html,<script>alert(1)</script>"}, "author_url"),
        ({"author_url": "ftp://files.example.com/"}, "author_url"),
        ({"author_url": "example.com"}, "author_url"),
        ({"body": None}, "body"),
        ({"body": ""}, "body"),
        ({"body": " \n\t "}, "body"),
        ({"body": ["a", "list"]}, "body"),
        ({"body": {"an": "object"}}, "body"),
        ({"parent": "not-a-number"}, "parent"),
        ({"parent": 0}, "parent"),
        ({"parent": 999999}, "parent"),
    ],
    ids=lambda value: repr(value)[:40] if isinstance(value, dict) else value,
)
def test_invalid_field_is_answered_400_naming_it_and_nothing_is_stored(
    api_client, article, overrides, field
):
    response = api_client.post(comments_url(article), valid_comment(**overrides), format="json")

    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors
    assert isinstance(errors[field], list)
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    "bad_email", ["secret.person@@example.com", "secret.person@example", "secret person@x.org"]
)
def test_email_error_does_not_echo_the_submitted_address(api_client, article, bad_email):
    response = api_client.post(
        comments_url(article), valid_comment(author_email=bad_email), format="json"
    )

    assert response.status_code == 400
    assert "author_email" in response.json()
    assert "secret" not in response.content.decode()
    assert Comment.objects.count() == 0


def test_body_over_the_policy_maximum_is_refused(api_client, article):
    set_policy(max_body_length=50)

    too_long = api_client.post(comments_url(article), valid_comment(body="x" * 51), format="json")

    assert too_long.status_code == 400
    assert "50" in too_long.json()["body"][0]
    assert Comment.objects.count() == 0


def test_body_at_the_default_maximum_is_accepted_and_one_over_refused(api_client, article):
    over = api_client.post(comments_url(article), valid_comment(body="y" * 5001), format="json")
    at_limit = api_client.post(comments_url(article), valid_comment(body="y" * 5000), format="json")

    assert over.status_code == 400
    assert "body" in over.json()
    assert at_limit.status_code == 202
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    "name",
    [
        "status",
        "ip_address",
        "user_agent",
        "moderated_by",
        "submitted_at",
        "id",
        "article",
        "is_listed",
        "user",
        "depth",
        "edit_key_hash",
        "notify_replies_token",
    ],
)
def test_unknown_field_is_refused_naming_it(api_client, article, name):
    response = api_client.post(
        comments_url(article), valid_comment(**{name: "approved"}), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {name: ["Unknown field."]}
    assert Comment.objects.count() == 0


def test_unknown_field_in_a_form_post_is_refused(api_client, article):
    response = api_client.post(
        comments_url(article),
        "author_name=Ada&author_email=ada%40example.com&body=Hi&status=approved",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert "status" in response.json()
    assert Comment.objects.count() == 0


def test_reply_to_a_comment_on_another_article_is_refused(api_client, article):
    elsewhere = make_comment(ArticleFactory(), status="approved")

    response = api_client.post(
        comments_url(article), valid_comment(parent=elsewhere.pk), format="json"
    )

    assert response.status_code == 400
    assert "parent" in response.json()
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("status", ["pending", "spam", "removed"])
def test_reply_to_a_comment_that_is_not_approved_is_refused(api_client, article, status):
    parent = make_comment(article, status=status)

    response = api_client.post(
        comments_url(article), valid_comment(parent=parent.pk), format="json"
    )

    assert response.status_code == 400
    assert "parent" in response.json()
    assert Comment.objects.count() == 1


def test_reply_to_an_approved_reply_under_a_removed_comment_is_refused(api_client, article):
    root = make_comment(article, status="approved")
    reply = make_comment(article, parent=root, status="approved")
    comments_moderate(ids=[root.pk], status="removed")

    response = api_client.post(comments_url(article), valid_comment(parent=reply.pk), format="json")

    assert response.status_code == 400
    assert "parent" in response.json()
    assert Comment.objects.count() == 2


def test_replies_nest_five_levels_and_no_deeper(api_client, article):
    set_policy(default_status="approved", approved_comments_required=0, flood_interval_seconds=0)
    chain = [make_comment(article, status="approved")]
    for _ in range(3):
        chain.append(make_comment(article, parent=chain[-1], status="approved"))
    assert [c.depth for c in chain] == [0, 1, 2, 3]

    fifth_level = api_client.post(
        comments_url(article), valid_comment(parent=chain[-1].pk, body="Level five"), format="json"
    )
    assert fifth_level.status_code == 201, fifth_level.content
    assert fifth_level.json()["depth"] == 4
    assert fifth_level.json()["parent"] == chain[-1].pk

    sixth_level = api_client.post(
        comments_url(article),
        valid_comment(parent=fifth_level.json()["id"], body="Level six"),
        format="json",
    )
    assert sixth_level.status_code == 400
    assert "parent" in sixth_level.json()
    assert Comment.objects.count() == 5


# --- malformed requests ----------------------------------------------------------------


def _raw_post(client, article, raw: bytes, content_type="application/json"):
    return client.generic("POST", comments_url(article), raw, content_type=content_type)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"author_name": "Ada", "body": ',
        b"not json at all",
        b'{"author_name": "Ada",}',
        b"",
    ],
    ids=["truncated", "text", "trailing-comma", "empty"],
)
def test_malformed_json_is_400(api_client, article, raw):
    response = _raw_post(api_client, article, raw)

    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_json_array_body_is_400(api_client, article):
    response = _raw_post(api_client, article, json.dumps([valid_comment()]).encode())

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("raw", [b"null", b"42", b'"a string"'])
def test_json_scalar_body_is_400(api_client, article, raw):
    response = _raw_post(api_client, article, raw)

    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_invalid_utf8_json_is_400(api_client, article):
    raw = b'{"author_name": "Ada \xff\xfe", "author_email": "a@example.com", "body": "x"}'

    response = _raw_post(api_client, article, raw)

    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_invalid_utf8_form_is_400(api_client, article):
    raw = b"author_name=Ada%FF%FE&author_email=a%40example.com&body=x\xff"

    response = _raw_post(api_client, article, raw, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_nul_byte_in_a_form_field_is_400(api_client, article):
    response = _raw_post(
        api_client,
        article,
        b"author_name=Ada%00&author_email=a%40example.com&body=x",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert "author_name" in response.json()
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("field", ["body", "author_name", "author_url", "honeypot"])
def test_lone_surrogate_in_a_field_is_400(api_client, article, field):
    # Raw JSON text with a "\ud800" escape, which decodes to a lone surrogate.
    data = {key: value for key, value in valid_comment().items() if key != field}
    raw = json.dumps(data)[:-1] + f', "{field}": "oops \\ud800 here"}}'

    response = _raw_post(api_client, article, raw.encode())

    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_lone_surrogate_in_an_unknown_field_name_is_400_not_500(api_client, article):
    raw = json.dumps(valid_comment())[:-1] + ', "st\\ud800tus": "approved"}'

    response = _raw_post(api_client, article, raw.encode())

    assert response.status_code == 400
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_request_body_over_the_upload_limit_is_refused_not_500(
    api_client, article, settings, content_type
):
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 44 * 1024  # ~300 KB with the default
    if content_type == "application/json":
        raw = json.dumps(valid_comment(body="z" * size)).encode()
    else:
        raw = b"author_name=Ada&author_email=a%40example.com&body=" + b"z" * size

    response = _raw_post(api_client, article, raw, content_type=content_type)

    assert response.status_code in (400, 413)
    assert "detail" in response.json()
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("part", ["field", "file"])
def test_multipart_body_over_the_upload_limit_is_refused_before_it_is_read(
    api_client, article, settings, part
):
    # File parts are not covered by DATA_UPLOAD_MAX_MEMORY_SIZE in Django's own parser.
    big = "z" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 44 * 1024)
    data = valid_comment(body=big) if part == "field" else valid_comment()
    if part == "file":
        data["attachment"] = SimpleUploadedFile("big.bin", big.encode())

    response = api_client.post(comments_url(article), data, format="multipart")

    assert response.status_code == 413
    assert Comment.objects.count() == 0


def test_file_in_a_multipart_post_is_an_unknown_field(api_client, article):
    data = valid_comment(attachment=SimpleUploadedFile("small.txt", b"hello"))

    response = api_client.post(comments_url(article), data, format="multipart")

    assert response.status_code == 400
    assert "attachment" in response.json()
    assert Comment.objects.count() == 0


def test_unsupported_media_type_is_415(api_client, article):
    response = _raw_post(api_client, article, b"<comment/>", content_type="application/xml")

    assert response.status_code == 415
    assert Comment.objects.count() == 0


# --- refusals: closed, not found, duplicate, flood, throttle ------------------------------


@pytest.mark.parametrize("close", WAYS_TO_CLOSE)
def test_post_to_closed_comments_is_403(api_client, close):
    article = ArticleFactory(published_at=timezone.now() - timedelta(days=10))
    close(article)

    response = api_client.post(comments_url(article), valid_comment(), format="json")

    assert response.status_code == 403
    assert "closed" in response.json()["detail"].lower()
    assert Comment.objects.count() == 0
    assert_no_email_echo(response)


def test_close_after_days_leaves_recent_articles_open(api_client):
    set_policy(close_after_days=7)
    article = ArticleFactory(published_at=timezone.now() - timedelta(days=6))

    response = api_client.post(comments_url(article), valid_comment(), format="json")

    assert response.status_code == 202


@pytest.mark.parametrize(
    ("status", "offset"),
    [
        (Article.Status.DRAFT, timedelta(hours=-1)),
        (Article.Status.REVIEW, timedelta(hours=-1)),
        (Article.Status.SCHEDULED, timedelta(hours=1)),
        (Article.Status.PUBLISHED, timedelta(hours=1)),
        (Article.Status.ARCHIVED, timedelta(hours=-1)),
    ],
    ids=["draft", "review", "scheduled-future", "published-future", "archived"],
)
def test_post_to_an_article_the_public_cannot_see_is_404(api_client, status, offset):
    article = ArticleFactory(status=status, published_at=timezone.now() + offset)

    response = api_client.post(comments_url(article), valid_comment(), format="json")

    assert response.status_code == 404
    assert Comment.objects.count() == 0


def test_post_to_an_unknown_slug_is_404(api_client):
    response = api_client.post(
        "/api/v1/articles/no-such-article/comments/", valid_comment(), format="json"
    )

    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"]}
    assert Comment.objects.count() == 0


def test_duplicate_comment_is_409(api_client, article):
    set_policy(flood_interval_seconds=0)
    first = api_client.post(comments_url(article), valid_comment(), format="json")

    again = api_client.post(
        comments_url(article), valid_comment(), format="json", REMOTE_ADDR="192.0.2.99"
    )

    assert first.status_code == 202
    assert again.status_code == 409
    assert "detail" in again.json()
    assert_no_email_echo(again)
    assert Comment.objects.count() == 1


def test_duplicate_of_an_old_comment_is_409_too(api_client, article):
    make_comment(
        article,
        author_name="Ada",
        author_email=EMAIL,
        body="A thoughtful remark.",
        submitted_at=timezone.now() - timedelta(days=400),
    )

    response = api_client.post(comments_url(article), valid_comment(), format="json")

    assert response.status_code == 409
    assert Comment.objects.count() == 1


def test_reposting_a_removed_comment_is_not_a_duplicate(api_client, article):
    make_comment(
        article,
        author_name="Ada",
        author_email=EMAIL,
        body="A thoughtful remark.",
        status="removed",
    )

    response = api_client.post(comments_url(article), valid_comment(), format="json")

    assert response.status_code == 202
    assert Comment.objects.count() == 2


def test_same_body_as_a_different_reply_is_not_a_duplicate(api_client, article):
    set_policy(flood_interval_seconds=0)
    parent = make_comment(article, status="approved")
    top_level = api_client.post(comments_url(article), valid_comment(), format="json")

    reply = api_client.post(comments_url(article), valid_comment(parent=parent.pk), format="json")

    assert top_level.status_code == 202
    assert reply.status_code == 202


def _assert_flooded(response):
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 15
    assert "detail" in response.json()


def test_second_comment_from_the_same_ip_within_the_interval_is_429(api_client, article):
    first = api_client.post(comments_url(article), valid_comment(), format="json")

    second = api_client.post(
        comments_url(article),
        valid_comment(author_email="someone.else@example.com", body="Other words"),
        format="json",
    )

    assert first.status_code == 202
    _assert_flooded(second)
    assert_no_email_echo(second, "someone.else@example.com")
    assert Comment.objects.count() == 1


def test_second_comment_from_the_same_email_within_the_interval_is_429(api_client, article):
    first = api_client.post(comments_url(article), valid_comment(), format="json")

    second = api_client.post(
        comments_url(article),
        valid_comment(body="Other words"),
        format="json",
        REMOTE_ADDR="192.0.2.200",
    )

    assert first.status_code == 202
    _assert_flooded(second)
    assert Comment.objects.count() == 1


def test_flood_check_applies_across_articles(api_client, article):
    api_client.post(comments_url(article), valid_comment(), format="json")

    other = api_client.post(
        comments_url(ArticleFactory()), valid_comment(body="Elsewhere"), format="json"
    )

    _assert_flooded(other)


def test_comments_outside_the_flood_interval_are_accepted(api_client, article):
    make_comment(
        article,
        author_email=EMAIL,
        ip_address="127.0.0.1",
        submitted_at=timezone.now() - timedelta(seconds=16),
        status="pending",
    )

    response = api_client.post(comments_url(article), valid_comment(), format="json")

    assert response.status_code == 202


def test_throttle_answers_429_after_ten_posts_a_minute_from_one_ip(api_client, article):
    set_policy(flood_interval_seconds=0)
    statuses = [
        api_client.post(
            comments_url(article),
            valid_comment(author_email=f"reader{i}@example.com", body=f"Comment {i}"),
            format="json",
        ).status_code
        for i in range(10)
    ]

    eleventh = api_client.post(
        comments_url(article),
        valid_comment(author_email="reader10@example.com", body="Comment 10"),
        format="json",
    )

    assert statuses == [202] * 10
    assert eleventh.status_code == 429
    assert int(eleventh["Retry-After"]) >= 1
    assert Comment.objects.count() == 10
    # Another address is not affected.
    other_ip = api_client.post(
        comments_url(article),
        valid_comment(author_email="reader11@example.com", body="Comment 11"),
        format="json",
        REMOTE_ADDR="192.0.2.11",
    )
    assert other_ip.status_code == 202


# --- client IP behind proxies ------------------------------------------------------------


def test_forwarded_for_is_ignored_without_trusted_proxies(api_client, article, settings):
    settings.TRUSTED_PROXY_COUNT = 0

    first = api_client.post(
        comments_url(article),
        valid_comment(),
        format="json",
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="1.1.1.1",
    )
    second = api_client.post(
        comments_url(article),
        valid_comment(author_email="sock.puppet@example.com", body="Different words"),
        format="json",
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="2.2.2.2",
    )

    assert first.status_code == 202
    _assert_flooded(second)
    assert Comment.objects.get().ip_address == "198.51.100.7"


def test_trusted_proxy_hop_is_the_client_ip(api_client, article, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    response = api_client.post(
        comments_url(article),
        valid_comment(),
        format="json",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
    )

    assert response.status_code == 202
    assert Comment.objects.get().ip_address == "203.0.113.7"


@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        (None, "10.0.0.1"),  # no header: the proxy itself, as REMOTE_ADDR says
        ("not-an-ip", "10.0.0.1"),
        ("203.0.113.9", "203.0.113.9"),
        (" 6.6.6.6 ,  2001:db8::7 ", "2001:db8::7"),
    ],
)
def test_client_ip_behind_one_trusted_proxy(api_client, article, settings, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}

    response = api_client.post(
        comments_url(article), valid_comment(), format="json", REMOTE_ADDR="10.0.0.1", **extra
    )

    assert response.status_code == 202
    assert Comment.objects.get().ip_address == expected


def test_clients_behind_the_same_trusted_proxy_are_not_flooded_together(
    api_client, article, settings
):
    settings.TRUSTED_PROXY_COUNT = 1

    first = api_client.post(
        comments_url(article),
        valid_comment(),
        format="json",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
    )
    second = api_client.post(
        comments_url(article),
        valid_comment(author_email="neighbour@example.com", body="Another view"),
        format="json",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.8",
    )

    assert first.status_code == 202
    assert second.status_code == 202
    assert sorted(Comment.objects.values_list("ip_address", flat=True)) == [
        "203.0.113.7",
        "203.0.113.8",
    ]


def test_spoofed_left_hops_behind_a_trusted_proxy_do_not_escape_the_flood_check(
    api_client, article, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    api_client.post(
        comments_url(article),
        valid_comment(),
        format="json",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
    )

    second = api_client.post(
        comments_url(article),
        valid_comment(author_email="sock.puppet@example.com", body="Different words"),
        format="json",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="7.7.7.7, 203.0.113.7",
    )

    _assert_flooded(second)


# --- query counts --------------------------------------------------------------------------


def test_posting_a_top_level_comment_takes_a_fixed_number_of_queries(
    api_client, article, django_assert_num_queries
):
    ModerationPolicy.load()  # created on first use; not part of a normal request

    with django_assert_num_queries(POST_QUERIES):
        response = api_client.post(comments_url(article), valid_comment(), format="json")

    assert response.status_code == 202


def test_posting_an_approved_reply_takes_a_fixed_number_of_queries(
    api_client, article, django_assert_num_queries
):
    set_policy(default_status="approved", approved_comments_required=0)
    parent = make_comment(article, status="approved")

    # The reader proves the address (the commenter token is checked without the database),
    # so the known-author rule reads the commenter-history aggregate as a held post does.
    # One more than a held top-level post: the parent lookup; one more again for the
    # article's comment count.
    with django_assert_num_queries(POST_QUERIES + 2):
        response = api_client.post(
            comments_url(article),
            valid_comment(parent=parent.pk),
            format="json",
            **helpers.proof_header(EMAIL),
        )

    assert response.status_code == 201
    assert response.json()["parent"] == parent.pk


def test_an_unproven_approved_reply_runs_the_same_queries_as_a_proven_one(
    api_client, article, django_assert_num_queries
):
    set_policy(default_status="approved", approved_comments_required=0)
    parent = make_comment(article, status="approved")

    # The commenter's history is part of the one aggregate the flood and duplicate
    # checks read anyway: proof or not, it costs no query of its own.
    with django_assert_num_queries(POST_QUERIES + 2):
        response = api_client.post(
            comments_url(article), valid_comment(parent=parent.pk), format="json"
        )

    assert response.status_code == 201
    assert response.json()["parent"] == parent.pk


def test_with_a_shared_cache_a_post_reads_neither_the_policy_nor_the_sanctions(
    api_client, article, django_assert_num_queries, shared_cache_on
):
    # The first post caches the policy and "no sanction anywhere".
    first = api_client.post(comments_url(article), valid_comment(), format="json")
    assert first.status_code == 202

    with django_assert_num_queries(POST_QUERIES - 2):
        response = api_client.post(
            comments_url(article),
            valid_comment(author_email="another@example.com", body="Other words"),
            format="json",
            REMOTE_ADDR="192.0.2.99",
        )

    assert response.status_code == 202


# The article; the service's savepoint; the policy; the pipeline's savepoint with one
# aggregate for the flood, duplicate and commenter-history checks (also the stored
# comment's new_commenter flag; with a commenter token the new-commenter, rejection-rate
# and known-author rules) and the sanctions lookup; the commenter upsert; the insert; the
# audit row; the two savepoint releases. With a shared cache (Redis) the policy and
# "no sanction anywhere" come from it: two fewer (test below).
POST_QUERIES = 11
