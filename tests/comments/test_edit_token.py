"""PATCH/DELETE /api/v1/comments/{id}/ with the X-Edit-Token the POST returned once.

The token is a signed, timestamped value holding the comment's id and a secret whose
SHA-256 is the only thing stored. These tests go through HTTP; the window is moved by
patching the clock `django.core.signing` reads (time.time), never the comment's row.
"""

import hashlib
import itertools

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from comments.edit_tokens import EDIT_SIGNING_NAMESPACE
from comments.models import Comment, ModerationPolicy
from comments.moderating import comments_moderate
from tests.comments.helpers import PUBLIC_FIELDS, proof_header
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

_ips = itertools.count(10)
GRACE = "grace@example.com"


@pytest.fixture(autouse=True)
def policy():
    """Comments are published at once (no new-commenter hold) and flood control is off,
    so each test can post what it needs; the tests that depend on other values set them."""
    policy = ModerationPolicy.load()
    policy.default_status = ModerationPolicy.DefaultStatus.APPROVED
    policy.approved_comments_required = 0
    policy.flood_interval_seconds = 0
    policy.save()
    return policy


@pytest.fixture
def article():
    return ArticleFactory(slug="edited-story")


def post_comment(client, article, *, proven: bool = False, **overrides):
    """POST a comment; with `proven`, with the commenter token of its address (so the
    address's earlier comments count)."""
    data = {
        "author_name": "Grace",
        "author_email": GRACE,
        "body": "First version of my comment.",
    }
    data.update(overrides)
    return client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        data,
        format="json",
        REMOTE_ADDR=f"198.51.100.{next(_ips)}",
        **(proof_header(data["author_email"]) if proven else {}),
    )


def created(client, article, **overrides) -> tuple[int, str]:
    response = post_comment(client, article, **overrides)
    assert response.status_code in (201, 202), response.content
    return response.json()["id"], response.json()["edit_token"]


def patch(client, pk, token, data, **extra):
    headers = {} if token is None else {"HTTP_X_EDIT_TOKEN": token}
    return client.patch(f"/api/v1/comments/{pk}/", data, format="json", **headers, **extra)


def delete(client, pk, token):
    headers = {} if token is None else {"HTTP_X_EDIT_TOKEN": token}
    return client.delete(f"/api/v1/comments/{pk}/", **headers)


def public_bodies(client, article) -> dict[int, str]:
    response = client.get(f"/api/v1/articles/{article.slug}/comments/")
    assert response.status_code == 200
    return {item["id"]: item["body"] for item in response.json()["results"]}


def comment_count(article) -> int:
    return Article.objects.get(pk=article.pk).comment_count


def row(pk) -> dict:
    return Comment.objects.filter(pk=pk).values().get()


# --- the token is handed out once ------------------------------------------------


def test_post_returns_an_edit_token_once_and_no_list_shows_it(api_client, staff_client, article):
    response = post_comment(api_client, article)
    assert response.status_code == 201
    token = response.json()["edit_token"]
    assert isinstance(token, str) and len(token) > 20

    public = api_client.get(f"/api/v1/articles/{article.slug}/comments/")
    assert public.status_code == 200
    [item] = public.json()["results"]
    assert "edit_token" not in item
    assert token.encode() not in public.content

    staff = staff_client.get("/api/v1/moderation/comments/")
    assert staff.status_code == 200
    [staff_item] = staff.json()["results"]
    assert "edit_token" not in staff_item
    assert "edit_key_hash" not in staff_item
    assert token.encode() not in staff.content
    detail = staff_client.get(f"/api/v1/moderation/comments/{staff_item['id']}/")
    assert token.encode() not in detail.content


def test_a_held_comment_gets_a_token_too(api_client, article, policy):
    policy.default_status = ModerationPolicy.DefaultStatus.PENDING
    policy.save()
    response = post_comment(api_client, article)
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert response.json()["edit_token"]


def test_the_token_is_never_stored_in_plain_text(api_client, article):
    pk, token = created(api_client, article)
    secret = signing.loads(token, salt=EDIT_SIGNING_NAMESPACE)["k"]
    stored = row(pk)

    for value in stored.values():
        assert token not in str(value)
        assert secret not in str(value)
    digest = stored["edit_key_hash"]
    assert len(digest) == 64
    assert all(ch in "0123456789abcdef" for ch in digest)
    assert digest == hashlib.sha256(secret.encode()).hexdigest()
    # Two comments never share a secret.
    _, other_token = created(
        api_client, article, body="Another one.", author_email="g2@example.com"
    )
    assert signing.loads(other_token, salt=EDIT_SIGNING_NAMESPACE)["k"] != secret


# --- editing ----------------------------------------------------------------------


def test_patch_changes_the_body_and_answers_the_public_fields(api_client, article):
    pk, token = created(api_client, article)

    response = patch(api_client, pk, token, {"body": "Second, better version."})

    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) == PUBLIC_FIELDS | {"status"}
    assert data["id"] == pk
    assert data["body"] == "Second, better version."
    assert data["status"] == "approved"
    assert "grace@example.com" not in response.content.decode()
    assert public_bodies(api_client, article) == {pk: "Second, better version."}
    assert row(pk)["body"] == "Second, better version."
    assert comment_count(article) == 1


def test_the_token_can_be_used_for_several_edits_within_the_window(api_client, article):
    pk, token = created(api_client, article)
    assert patch(api_client, pk, token, {"body": "Edit one."}).status_code == 200
    assert patch(api_client, pk, token, {"body": "Edit two."}).status_code == 200
    assert row(pk)["body"] == "Edit two."


def test_a_blocklisted_word_added_in_an_edit_makes_it_spam(api_client, article, policy):
    pk, token = created(api_client, article)
    assert comment_count(article) == 1
    policy.blocklist_keywords = "casino"
    policy.save()

    response = patch(api_client, pk, token, {"body": "Visit my CASINO today."})

    # Spam is answered like a held comment, as when posting.
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    stored = row(pk)
    assert stored["status"] == Comment.Status.SPAM
    assert stored["is_listed"] is False
    assert stored["body"] == "Visit my CASINO today."
    assert public_bodies(api_client, article) == {}
    assert comment_count(article) == 0


def test_a_link_heavy_edit_is_held_for_moderation(api_client, article):
    pk, token = created(api_client, article)

    response = patch(
        api_client, pk, token, {"body": "See https://a.example and https://b.example now."}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert row(pk)["status"] == Comment.Status.PENDING
    assert row(pk)["is_listed"] is False
    assert public_bodies(api_client, article) == {}
    assert comment_count(article) == 0


def test_a_held_comment_edited_into_shape_is_judged_again(api_client, article):
    pk, token = created(api_client, article, body="Links: https://a.example https://b.example")
    assert row(pk)["status"] == Comment.Status.PENDING
    assert comment_count(article) == 0

    response = patch(api_client, pk, token, {"body": "No links any more."})

    assert response.json()["status"] == "approved"
    assert row(pk)["status"] == Comment.Status.APPROVED
    assert public_bodies(api_client, article) == {pk: "No links any more."}
    assert comment_count(article) == 1


def test_an_edit_does_not_count_the_comment_itself_as_a_previous_approval(
    api_client, article, policy
):
    policy.default_status = ModerationPolicy.DefaultStatus.PENDING
    policy.save()
    pk, token = created(api_client, article)
    comments_moderate(ids=[pk], status=Comment.Status.APPROVED)
    assert comment_count(article) == 1

    response = patch(api_client, pk, token, {"body": "Now that it is published..."})

    # Its own approval does not make the author "known": the new words are held.
    assert response.json()["status"] == "pending"
    assert row(pk)["status"] == Comment.Status.PENDING
    assert comment_count(article) == 0


def test_a_known_author_edit_stays_approved(api_client, article, policy):
    policy.default_status = ModerationPolicy.DefaultStatus.PENDING
    policy.save()
    # Grace proves her address with each post and with the edit.
    earlier, _ = created(api_client, article, proven=True, body="My earlier comment.")
    comments_moderate(ids=[earlier], status=Comment.Status.APPROVED)
    pk, token = created(api_client, article, proven=True)
    assert row(pk)["status"] == Comment.Status.APPROVED

    response = patch(
        api_client, pk, token, {"body": "Edited by a known author."}, **proof_header(GRACE)
    )

    assert response.json()["status"] == "approved"
    assert comment_count(article) == 2


def test_an_edit_is_not_refused_as_flood_or_duplicate(api_client, article, policy):
    policy.flood_interval_seconds = 3600
    policy.save()
    pk, token = created(api_client, article)

    # Seconds after posting, and with the very same words: still an edit, not a post.
    response = patch(api_client, pk, token, {"body": "First version of my comment."})

    assert response.status_code == 200
    assert row(pk)["status"] == Comment.Status.APPROVED


def test_a_honeypot_spam_comment_cannot_be_laundered_by_editing(api_client, article):
    response = post_comment(api_client, article, honeypot="http://bot.example")
    assert response.status_code == 202
    pk, token = response.json()["id"], response.json()["edit_token"]
    assert row(pk)["status"] == Comment.Status.SPAM

    edited = patch(api_client, pk, token, {"body": "Totally innocent words."})

    assert edited.status_code == 200
    assert edited.json()["status"] == "pending"
    assert row(pk)["status"] == Comment.Status.SPAM
    assert public_bodies(api_client, article) == {}
    assert comment_count(article) == 0


def test_a_comment_a_moderator_marked_spam_stays_spam_after_an_edit(
    api_client, article, staff_user
):
    earlier, _ = created(api_client, article, body="Approved earlier.")
    pk, token = created(api_client, article)
    comments_moderate(ids=[pk], status=Comment.Status.SPAM, moderator=staff_user)

    # A known author, clean words: still the moderator's call, not the pipeline's.
    response = patch(api_client, pk, token, {"body": "Clean words now."})

    assert response.status_code == 200
    assert row(pk)["status"] == Comment.Status.SPAM
    assert comment_count(article) == 1
    assert public_bodies(api_client, article) == {earlier: "Approved earlier."}


# --- validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "ok", "status": "approved"}, "status"),
        ({"body": "ok", "author_name": "Someone else"}, "author_name"),
    ],
)
def test_invalid_edits_are_refused_and_change_nothing(api_client, article, data, field):
    pk, token = created(api_client, article)
    before = row(pk)

    response = patch(api_client, pk, token, data)

    assert response.status_code == 400
    assert field in response.json()
    assert row(pk) == before
    assert comment_count(article) == 1


def test_the_length_limit_follows_the_policy(api_client, article, policy):
    pk, token = created(api_client, article)
    policy.max_body_length = 30
    policy.save()

    assert patch(api_client, pk, token, {"body": "y" * 31}).status_code == 400
    assert row(pk)["body"] == "First version of my comment."
    assert patch(api_client, pk, token, {"body": "y" * 30}).status_code == 200


# --- who may edit ---------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "not-a-token", "a:b:c"])
def test_without_a_valid_token_edits_and_withdrawals_are_forbidden(api_client, article, token):
    pk, _ = created(api_client, article)
    before = row(pk)

    assert patch(api_client, pk, token, {"body": "Hijacked."}).status_code == 403
    assert delete(api_client, pk, token).status_code == 403
    assert row(pk) == before


def test_a_token_only_works_for_its_own_comment(api_client, article):
    a, token_a = created(api_client, article, author_email="a@example.com", body="A's words.")
    b, token_b = created(api_client, article, author_email="b@example.com", body="B's words.")
    before_b = row(b)

    response = patch(api_client, b, token_a, {"body": "A rewrites B."})
    assert response.status_code == 403
    assert "detail" in response.json()
    assert delete(api_client, b, token_a).status_code == 403
    assert row(b) == before_b
    assert comment_count(article) == 2

    assert patch(api_client, a, token_a, {"body": "A edits A."}).status_code == 200
    assert patch(api_client, b, token_b, {"body": "B edits B."}).status_code == 200


def test_a_token_signed_for_another_purpose_is_refused(api_client, article):
    pk, token = created(api_client, article)
    secret = signing.loads(token, salt=EDIT_SIGNING_NAMESPACE)["k"]
    # The right payload, signed with another salt (as an unsubscribe or privacy link is).
    forged = signing.dumps({"c": pk, "k": secret}, salt="comments.privacy-request", compress=True)
    assert patch(api_client, pk, forged, {"body": "Forged."}).status_code == 403
    # A well-signed token with the wrong secret (as if the hash were guessed wrong).
    wrong = signing.dumps({"c": pk, "k": "guess"}, salt=EDIT_SIGNING_NAMESPACE, compress=True)
    assert patch(api_client, pk, wrong, {"body": "Forged."}).status_code == 403
    assert row(pk)["body"] == "First version of my comment."


def test_a_token_for_a_missing_comment_is_forbidden(api_client, article):
    pk, token = created(api_client, article)
    assert patch(api_client, pk + 1000, token, {"body": "Nope."}).status_code == 403


def test_the_edit_window_is_fifteen_minutes_by_default(api_client, article, clock):
    pk, token = created(api_client, article)

    clock(14 * 60)
    assert patch(api_client, pk, token, {"body": "Still in time."}).status_code == 200

    clock(15 * 60 + 2)
    response = patch(api_client, pk, token, {"body": "Too late."})
    assert response.status_code == 403
    assert "passed" in response.json()["detail"]
    assert delete(api_client, pk, token).status_code == 403
    stored = row(pk)
    assert stored["body"] == "Still in time."
    assert stored["status"] == Comment.Status.APPROVED


def test_the_edit_window_follows_the_policy(api_client, article, policy, clock):
    pk, token = created(api_client, article)
    policy.edit_window_minutes = 60
    policy.save()

    clock(45 * 60)
    assert patch(api_client, pk, token, {"body": "45 minutes later."}).status_code == 200
    clock(61 * 60)
    assert patch(api_client, pk, token, {"body": "61 minutes later."}).status_code == 403


def test_a_zero_edit_window_allows_no_edits(api_client, article, policy):
    pk, token = created(api_client, article)
    policy.edit_window_minutes = 0
    policy.save()
    before = row(pk)

    assert patch(api_client, pk, token, {"body": "Immediately."}).status_code == 403
    assert delete(api_client, pk, token).status_code == 403
    assert row(pk) == before


# --- withdrawing ------------------------------------------------------------------------


def test_delete_withdraws_the_comment_and_spends_the_token(api_client, article):
    other, _ = created(api_client, article, author_email="other@example.com", body="Stays.")
    pk, token = created(api_client, article)
    assert comment_count(article) == 2

    response = delete(api_client, pk, token)

    assert response.status_code == 204
    assert response.content == b""
    stored = row(pk)
    assert stored["status"] == Comment.Status.REMOVED
    assert stored["is_listed"] is False
    assert stored["edit_key_hash"] == ""
    assert stored["body"] == "First version of my comment."  # kept for moderators
    assert comment_count(article) == 1
    assert public_bodies(api_client, article) == {other: "Stays."}

    assert patch(api_client, pk, token, {"body": "Back again?"}).status_code == 403
    assert delete(api_client, pk, token).status_code == 403
    assert row(pk)["body"] == "First version of my comment."
    assert row(pk)["status"] == Comment.Status.REMOVED


def test_withdrawing_a_held_comment_keeps_the_count(api_client, article):
    pk, token = created(api_client, article, body="Links: https://a.example https://b.example")
    assert comment_count(article) == 0
    assert delete(api_client, pk, token).status_code == 204
    assert row(pk)["status"] == Comment.Status.REMOVED
    assert comment_count(article) == 0


def test_withdrawing_a_comment_hides_its_replies(api_client, article):
    pk, token = created(api_client, article)
    reply, _ = created(
        api_client, article, author_email="replier@example.com", body="A reply.", parent=pk
    )
    assert comment_count(article) == 2

    assert delete(api_client, pk, token).status_code == 204

    assert public_bodies(api_client, article) == {}
    assert row(reply)["status"] == Comment.Status.APPROVED
    assert row(reply)["is_listed"] is False
    assert comment_count(article) == 1  # the reply is still approved, only not listed


# --- cost -------------------------------------------------------------------------------


def test_an_edit_runs_a_fixed_number_of_queries(api_client, article, policy):
    policy.blocklist_keywords = "casino"
    policy.save()
    first, first_token = created(api_client, article)
    second, second_token = created(
        api_client, article, author_email="second@example.com", body="Second comment."
    )
    third, third_token = created(
        api_client, article, author_email="third@example.com", body="Third comment."
    )

    with CaptureQueriesContext(connection) as plain:
        response = patch(
            api_client, first, first_token, {"body": "Only words."}, **proof_header(GRACE)
        )
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as unproven:
        assert patch(api_client, third, third_token, {"body": "Mere words."}).status_code == 200
    with CaptureQueriesContext(connection) as to_spam:
        response = patch(api_client, second, second_token, {"body": "casino"})
        assert response.status_code == 200

    # Token check: policy, comment. Edit (savepoint ... release): policy, locked row,
    # the pipeline in its own savepoint (the sanctions lookup and the commenter-history
    # aggregate, which counts because the commenter token, checked without a query,
    # proves the address), update, + the last human decision, + the edit's audit row,
    # re-read.
    assert len(plain.captured_queries) == 14
    # Without proof the address's history does not count: the same less the aggregate.
    assert len(unproven.captured_queries) == 13
    # Spam stops the pipeline after the sanctions lookup, before the history aggregate;
    # after the update, the last human decision and the edit's audit row, the status
    # change adds the moderation service's lock, status update, audit row and count
    # update, the thread walk (one level here) and the listing update.
    assert len(to_spam.captured_queries) == 19
