"""Reader flags (POST /api/v1/comments/{id}/flag/) and the staff moderation API."""

from functools import partial

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.models import Article
from comments.models import Comment, CommentFlag
from comments.moderating import comments_moderate
from tests.comments import helpers
from tests.comments.helpers import comment_count, set_policy, status_of
from tests.factories import ArticleFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

MODERATION_URL = "/api/v1/moderation/comments/"
BULK_URL = MODERATION_URL + "bulk/"


make_comment = partial(helpers.make_comment, user_agent="SecretAgent/1.0")


def flag_url(comment) -> str:
    return f"/api/v1/comments/{comment.pk}/flag/"


def public_ids(client, article) -> list[int]:
    response = client.get(f"/api/v1/articles/{article.slug}/comments/")
    assert response.status_code == 200
    return [item["id"] for item in response.json()["results"]]


@pytest.fixture
def comment(article):
    return make_comment(article)


# --- reader flags --------------------------------------------------------------------------


def test_flag_is_accepted_with_202_and_recorded(api_client, comment):
    response = api_client.post(
        flag_url(comment), {"reason": "Off topic"}, format="json", REMOTE_ADDR="192.0.2.1"
    )

    assert response.status_code == 202
    assert "detail" in response.json()
    flag = CommentFlag.objects.get(comment=comment)
    assert (flag.ip_address, flag.reason) == ("192.0.2.1", "Off topic")
    assert status_of(comment) == Comment.Status.APPROVED


def test_flag_without_a_reason_or_body_is_accepted(api_client, comment):
    response = api_client.post(flag_url(comment))

    assert response.status_code == 202
    assert CommentFlag.objects.filter(comment=comment).count() == 1


def test_flag_answer_is_the_same_for_a_repeated_report(api_client, comment):
    first = api_client.post(flag_url(comment), format="json")
    again = api_client.post(flag_url(comment), format="json")

    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()


def test_flags_from_distinct_reporters_past_the_threshold_hold_the_comment(
    api_client, article, comment
):
    other = make_comment(article)
    assert comment_count(article) == 2

    for n in (1, 2):
        api_client.post(flag_url(comment), format="json", REMOTE_ADDR=f"192.0.2.{n}")
    assert status_of(comment) == Comment.Status.APPROVED
    assert public_ids(api_client, article) == [comment.pk, other.pk]

    response = api_client.post(flag_url(comment), format="json", REMOTE_ADDR="192.0.2.3")

    assert response.status_code == 202
    assert status_of(comment) == Comment.Status.PENDING
    assert public_ids(api_client, article) == [other.pk]
    assert comment_count(article) == 1


def test_flag_threshold_comes_from_the_policy(api_client, article, comment):
    set_policy(flag_threshold=1)

    api_client.post(flag_url(comment), format="json", REMOTE_ADDR="192.0.2.1")

    assert status_of(comment) == Comment.Status.PENDING


def test_flagged_comment_hides_its_replies_too(api_client, article, comment):
    reply = make_comment(article, parent=comment)
    set_policy(flag_threshold=1)

    api_client.post(flag_url(comment), format="json")

    assert public_ids(api_client, article) == []
    assert status_of(reply) == Comment.Status.APPROVED


def test_repeated_flags_from_one_ip_count_once(api_client, comment):
    for _ in range(5):
        response = api_client.post(flag_url(comment), format="json", REMOTE_ADDR="192.0.2.9")
        assert response.status_code == 202

    assert CommentFlag.objects.filter(comment=comment).count() == 1
    assert status_of(comment) == Comment.Status.APPROVED


def test_spoofed_forwarded_for_does_not_make_distinct_reporters(api_client, comment, settings):
    settings.TRUSTED_PROXY_COUNT = 0

    for n in range(5):
        api_client.post(
            flag_url(comment),
            format="json",
            REMOTE_ADDR="192.0.2.9",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )

    assert CommentFlag.objects.filter(comment=comment).count() == 1
    assert status_of(comment) == Comment.Status.APPROVED


@pytest.mark.parametrize("status", ["pending", "spam", "removed"])
def test_flag_on_a_comment_that_is_not_public_is_404(api_client, article, status):
    hidden = make_comment(article, status=status)

    response = api_client.post(flag_url(hidden), format="json")

    assert response.status_code == 404
    assert CommentFlag.objects.count() == 0


def test_flag_on_an_approved_reply_under_a_hidden_comment_is_404(api_client, article, comment):
    reply = make_comment(article, parent=comment)
    comments_moderate(ids=[comment.pk], status="removed")

    response = api_client.post(flag_url(reply), format="json")

    assert response.status_code == 404


def test_flag_on_a_comment_of_an_invisible_article_is_404(api_client, article, comment):
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)

    response = api_client.post(flag_url(comment), format="json")

    assert response.status_code == 404
    assert CommentFlag.objects.count() == 0


def test_flag_on_an_unknown_comment_is_404(api_client):
    response = api_client.post("/api/v1/comments/987654/flag/", format="json")

    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("data", "field"),
    [({"reason": "x" * 201}, "reason"), ({"ip_address": "1.2.3.4"}, "ip_address")],
)
def test_invalid_flag_is_400(api_client, comment, data, field):
    response = api_client.post(flag_url(comment), data, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert CommentFlag.objects.count() == 0


def test_flagging_is_throttled_per_ip(api_client, article):
    comments = [make_comment(article) for _ in range(3)]
    set_policy(flag_threshold=100)
    statuses = [
        api_client.post(flag_url(comments[i % 3]), format="json").status_code for i in range(20)
    ]

    throttled = api_client.post(flag_url(comments[0]), format="json")

    assert statuses == [202] * 20
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    other_ip = api_client.post(flag_url(comments[0]), format="json", REMOTE_ADDR="192.0.2.77")
    assert other_ip.status_code == 202


# --- staff API: who may use it -------------------------------------------------------------


def _every_staff_request(client, comment):
    return [
        client.get(MODERATION_URL),
        client.get(f"{MODERATION_URL}{comment.pk}/"),
        client.patch(f"{MODERATION_URL}{comment.pk}/", {"status": "spam"}, format="json"),
        client.post(BULK_URL, {"ids": [comment.pk], "status": "spam"}, format="json"),
    ]


def test_anonymous_reader_cannot_use_the_staff_api(api_client, comment):
    responses = _every_staff_request(api_client, comment)

    assert [r.status_code in (401, 403) for r in responses] == [True] * 4
    assert all(comment.author_email not in r.content.decode() for r in responses)
    assert status_of(comment) == Comment.Status.APPROVED


def test_signed_in_reader_cannot_use_the_staff_api(comment):
    client = APIClient()
    client.force_login(UserFactory())

    responses = _every_staff_request(client, comment)

    assert [r.status_code for r in responses] == [403] * 4
    assert status_of(comment) == Comment.Status.APPROVED


def test_reader_with_a_token_cannot_use_the_staff_api(comment):
    token = Token.objects.create(user=UserFactory())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get(MODERATION_URL).status_code == 403


def test_staff_can_use_the_staff_api(staff_client, comment):
    responses = _every_staff_request(staff_client, comment)

    assert [r.status_code for r in responses] == [200] * 4


def test_staff_token_authenticates_without_csrf(comment):
    token = Token.objects.create(user=StaffUserFactory())
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    listing = client.get(MODERATION_URL)
    patched = client.patch(f"{MODERATION_URL}{comment.pk}/", {"status": "spam"}, format="json")

    assert listing.status_code == 200
    assert patched.status_code == 200
    assert status_of(comment) == Comment.Status.SPAM


def test_unknown_token_is_refused(comment):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.get(MODERATION_URL)

    # 403 rather than 401: session authentication comes first and has no challenge.
    assert response.status_code in (401, 403)
    assert comment.author_email not in response.content.decode()


def test_staff_session_still_needs_a_csrf_token_to_write(staff_user, comment):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff_user)

    response = client.patch(f"{MODERATION_URL}{comment.pk}/", {"status": "spam"}, format="json")

    assert response.status_code == 403
    assert status_of(comment) == Comment.Status.APPROVED


def test_basic_auth_is_not_accepted_on_the_staff_api(comment):
    StaffUserFactory(username="boss")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic Ym9zczpjb3JyZWN0LWhvcnNlLWJhdHRlcnk=")

    assert client.get(MODERATION_URL).status_code in (401, 403)


# --- staff API: listing and filters ----------------------------------------------------------


def test_staff_list_has_every_comment_with_private_fields(staff_client, article):
    approved = make_comment(article, author_email="grace@example.org", ip_address="192.0.2.44")
    spam = make_comment(article, status="spam")

    response = staff_client.get(MODERATION_URL)

    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 2
    assert [item["id"] for item in page["results"]] == [spam.pk, approved.pk]  # newest first
    item = next(item for item in page["results"] if item["id"] == approved.pk)
    assert item["author_email"] == "grace@example.org"
    assert item["ip_address"] == "192.0.2.44"
    assert item["user_agent"] == "SecretAgent/1.0"
    assert item["status"] == "approved"
    assert item["article"] == article.slug
    assert item["is_listed"] is True
    assert item["flag_count"] == 0


def test_staff_list_filters_by_status(staff_client, article):
    make_comment(article)
    pending = make_comment(article, status="pending")
    make_comment(article, status="spam")

    response = staff_client.get(MODERATION_URL, {"status": "pending"})

    assert [item["id"] for item in response.json()["results"]] == [pending.pk]


def test_staff_list_filters_by_article_slug(staff_client, article):
    mine = make_comment(article)
    make_comment(ArticleFactory())

    response = staff_client.get(MODERATION_URL, {"article": article.slug})

    assert [item["id"] for item in response.json()["results"]] == [mine.pk]


def test_staff_list_filters_by_email_case_insensitively(staff_client, article):
    mine = make_comment(article, author_email="grace@example.org")
    make_comment(article, author_email="alan@example.org")

    response = staff_client.get(MODERATION_URL, {"email": " Grace@Example.ORG "})

    assert [item["id"] for item in response.json()["results"]] == [mine.pk]


@pytest.mark.parametrize("term", ["hopper", "COBOL", "navy.example"])
def test_staff_list_search_matches_name_body_and_email(staff_client, article, term):
    match = make_comment(
        article, author_name="Grace Hopper", body="I wrote COBOL", author_email="g@navy.example"
    )
    make_comment(article, author_name="Alan", body="Hello", author_email="a@example.org")

    response = staff_client.get(MODERATION_URL, {"search": term})

    assert [item["id"] for item in response.json()["results"]] == [match.pk]


def test_staff_list_filters_combine(staff_client, article):
    wanted = make_comment(article, status="pending", author_email="grace@example.org")
    make_comment(article, status="approved", author_email="grace@example.org")
    make_comment(ArticleFactory(), status="pending", author_email="grace@example.org")

    response = staff_client.get(
        MODERATION_URL,
        {"status": "pending", "article": article.slug, "email": "grace@example.org"},
    )

    assert [item["id"] for item in response.json()["results"]] == [wanted.pk]


@pytest.mark.parametrize(
    "params", [{"status": "deleted"}, {"article": "no-such-article"}, {"page": "999"}]
)
def test_staff_list_with_a_bad_filter_is_a_client_error(staff_client, article, params):
    make_comment(article)

    response = staff_client.get(MODERATION_URL, params)

    assert response.status_code in (400, 404)
    assert response.json()


def test_staff_list_shows_flag_counts(api_client, staff_client, comment):
    set_policy(flag_threshold=10)
    for n in range(2):
        api_client.post(flag_url(comment), format="json", REMOTE_ADDR=f"192.0.2.{n}")

    item = staff_client.get(f"{MODERATION_URL}{comment.pk}/").json()

    assert item["flag_count"] == 2


def test_staff_list_query_count_does_not_grow_with_comments(
    staff_client, article, django_assert_num_queries
):
    make_comment(article)
    comments_moderate(ids=[make_comment(article).pk], status="spam", moderator=None)
    with django_assert_num_queries(STAFF_LIST_QUERIES):
        staff_client.get(MODERATION_URL)

    for _ in range(15):
        make_comment(ArticleFactory())
    with django_assert_num_queries(STAFF_LIST_QUERIES):
        response = staff_client.get(MODERATION_URL)
    assert response.json()["count"] == 17


# session, user, count, page
STAFF_LIST_QUERIES = 4


# --- staff API: moderating ---------------------------------------------------------------------


def test_patch_status_records_the_moderator_and_time(staff_client, staff_user, article):
    comment = make_comment(article, status="pending")
    before = timezone.now()

    response = staff_client.patch(
        f"{MODERATION_URL}{comment.pk}/", {"status": "approved"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved"
    assert body["moderated_by"] == staff_user.username
    assert body["moderated_at"] is not None
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.moderated_by == staff_user
    assert stored.moderated_at >= before
    assert comment_count(article) == 1


def test_patch_cannot_change_anything_but_status(staff_client, comment):
    response = staff_client.patch(
        f"{MODERATION_URL}{comment.pk}/",
        {"status": "approved", "body": "Edited by staff"},
        format="json",
    )

    assert response.status_code == 400
    assert "body" in response.json()
    assert Comment.objects.get(pk=comment.pk).body == comment.body


@pytest.mark.parametrize("value", ["deleted", "", None, 3])
def test_patch_with_an_invalid_status_is_400(staff_client, comment, value):
    response = staff_client.patch(
        f"{MODERATION_URL}{comment.pk}/", {"status": value}, format="json"
    )

    assert response.status_code == 400
    assert "status" in response.json()
    assert status_of(comment) == Comment.Status.APPROVED


def test_patch_with_a_lone_surrogate_is_400_not_500(staff_client, comment):
    response = staff_client.generic(
        "PATCH",
        f"{MODERATION_URL}{comment.pk}/",
        '{"status": "\\ud800"}',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert status_of(comment) == Comment.Status.APPROVED


def test_put_and_delete_are_not_allowed(staff_client, comment):
    put = staff_client.put(f"{MODERATION_URL}{comment.pk}/", {"status": "spam"}, format="json")
    delete = staff_client.delete(f"{MODERATION_URL}{comment.pk}/")

    assert put.status_code == 405
    assert delete.status_code == 405
    assert Comment.objects.filter(pk=comment.pk, status="approved").exists()


def test_patch_of_an_unknown_comment_is_404(staff_client):
    response = staff_client.patch(f"{MODERATION_URL}987654/", {"status": "spam"}, format="json")

    assert response.status_code == 404


def test_bulk_moderation_changes_every_comment_in_one_call(staff_client, staff_user, article):
    pending = [make_comment(article, status="pending") for _ in range(3)]
    already = make_comment(article, status="approved")
    untouched = make_comment(article, status="pending")

    response = staff_client.post(
        BULK_URL,
        {"ids": [c.pk for c in pending] + [already.pk], "status": "approved"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {"updated": 3, "status": "approved"}
    assert {status_of(c) for c in pending} == {"approved"}
    assert status_of(untouched) == "pending"
    assert comment_count(article) == 4
    assert set(
        Comment.objects.filter(pk__in=[c.pk for c in pending]).values_list(
            "moderated_by", flat=True
        )
    ) == {staff_user.pk}


def test_bulk_removal_keeps_counts_right_across_articles(staff_client, article):
    other_article = ArticleFactory()
    ours = [make_comment(article) for _ in range(2)]
    theirs = make_comment(other_article)

    response = staff_client.post(
        BULK_URL, {"ids": [c.pk for c in ours] + [theirs.pk], "status": "removed"}, format="json"
    )

    assert response.status_code == 200
    assert comment_count(article) == 0
    assert comment_count(other_article) == 0


@pytest.mark.parametrize(
    "data",
    [
        {"ids": [1], "status": "deleted"},
        {"ids": [], "status": "approved"},
        {"ids": ["abc"], "status": "approved"},
        {"ids": 5, "status": "approved"},
        {"status": "approved"},
        {"ids": [1]},
        {"ids": [1], "status": "approved", "moderated_by": 1},
    ],
    ids=[
        "unknown-status",
        "no-ids",
        "bad-id",
        "ids-not-a-list",
        "no-ids-key",
        "no-status",
        "extra",
    ],
)
def test_invalid_bulk_request_is_400_and_changes_nothing(staff_client, article, data):
    comment = make_comment(article, status="pending")
    if data.get("ids") == [1]:
        data = {**data, "ids": [comment.pk]}

    response = staff_client.post(BULK_URL, data, format="json")

    assert response.status_code == 400
    assert status_of(comment) == "pending"
