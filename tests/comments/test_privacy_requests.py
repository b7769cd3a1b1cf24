"""Readers' export and erasure: POST /api/v1/privacy/requests/, then the emailed link
(GET or POST /api/v1/privacy/requests/confirm/?token=...).

The emails are sent by a django-tasks task queued with transaction.on_commit; the tests
run the callbacks (ImmediateBackend) and read the link from the email they send.
"""

import itertools
import re
from datetime import UTC, datetime

import pytest
from django.core import signing
from rest_framework.test import APIClient

from articles.models import Article
from comments.models import Comment, ModerationPolicy, PrivacyRequest
from comments.moderating import comments_moderate
from comments.privacy import LINK_SALT, email_digest
from tests.comments.factories import CommentFactory
from tests.comments.helpers import ANONYMIZED
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

ALICE = "alice.private@reader.example"
BOB = "bob.private@reader.example"
UNKNOWN = "nobody.here@reader.example"
REQUESTS = "/api/v1/privacy/requests/"
CONFIRM = "/api/v1/privacy/requests/confirm/"
SITE = "https://news.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.ARTICLE_PATH_TEMPLATE = "/articles/{slug}/"


class FreshIPClient(APIClient):
    """Each request from its own address unless told otherwise: the confirmation link
    shares the request endpoint's throttle (5/hour per IP), which one test tests."""

    _next = itertools.count(1)

    def request(self, **request):
        n = next(self._next)
        request.setdefault("REMOTE_ADDR", f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
        return super().request(**request)


@pytest.fixture
def api_client():
    return FreshIPClient()


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, 30, 15, tzinfo=UTC)


@pytest.fixture
def world():
    """Alice wrote five comments on two articles, in every status, one a reply to Bob,
    one answered by Bob; Bob and Carol wrote others."""
    first = ArticleFactory(slug="first-story", title="The First Story")
    second = ArticleFactory(slug="second-story", title="The Second Story")
    alice_user = UserFactory(username="alice", email=ALICE)
    alice_fields = {
        "author_name": "Alice Liddell",
        "author_email": ALICE,
        "author_url": "https://alice.example/blog",
        "user_agent": "AliceBrowser/7.0",
        "notify_replies": True,
    }
    c = {}
    c["bob_top"] = CommentFactory(
        article=first,
        author_name="Bob",
        author_email=BOB,
        author_url="https://bob.example",
        body="Bob starts a thread.",
        submitted_at=at(1),
        ip_address="203.0.113.20",
        user_agent="BobBrowser/1.0",
        notify_replies=True,
    )
    c["alice_top"] = CommentFactory(
        article=first,
        body="Alice's approved opinion.",
        submitted_at=at(2),
        ip_address="203.0.113.7",
        user=alice_user,
        edit_key_hash="a" * 64,
        **alice_fields,
    )
    c["bob_reply"] = CommentFactory(
        article=first,
        parent=c["bob_top"],
        depth=1,
        author_name="Bob",
        author_email=BOB,
        body="Bob replies to himself.",
        submitted_at=at(3),
        ip_address="203.0.113.20",
    )
    c["alice_reply"] = CommentFactory(
        article=first,
        parent=c["bob_top"],
        depth=1,
        body="Alice answers Bob.",
        submitted_at=at(4),
        ip_address="2001:db8::7",
        **alice_fields,
    )
    c["bob_under_alice"] = CommentFactory(
        article=first,
        parent=c["alice_top"],
        depth=1,
        author_name="Bob",
        author_email=BOB,
        body="Bob answers Alice.",
        submitted_at=at(5),
        ip_address="203.0.113.20",
    )
    c["alice_pending"] = CommentFactory(
        article=second,
        body="Alice's held words.",
        status=Comment.Status.PENDING,
        is_listed=False,
        submitted_at=at(6),
        ip_address="203.0.113.8",
        **alice_fields,
    )
    c["alice_spam"] = CommentFactory(
        article=second,
        body="Alice's spammy words.",
        status=Comment.Status.SPAM,
        is_listed=False,
        submitted_at=at(7),
        ip_address="203.0.113.9",
        **alice_fields,
    )
    c["alice_removed"] = CommentFactory(
        article=second,
        body="Alice's removed words.",
        status=Comment.Status.REMOVED,
        is_listed=False,
        submitted_at=at(8),
        ip_address=None,
        **{**alice_fields, "user_agent": ""},
    )
    c["carol"] = CommentFactory(
        article=second,
        author_name="Carol",
        author_email="carol@reader.example",
        body="Carol mentions alice.private@reader.example by name.",
        submitted_at=at(9),
        ip_address="203.0.113.30",
    )
    Article.objects.filter(pk=first.pk).update(comment_count=5)
    Article.objects.filter(pk=second.pk).update(comment_count=1)
    assert approved_counts_agree()
    return {"first": first, "second": second, "comments": c, "alice_user": alice_user}


ALICE_KEYS = ["alice_top", "alice_reply", "alice_pending", "alice_spam", "alice_removed"]


def ask(client, mailoutbox, capture, email, kind, ip="192.0.2.1"):
    """POST a request, run what it queued after commit; the response and new emails."""
    sent_before = len(mailoutbox)
    with capture(execute=True):
        response = client.post(
            REQUESTS, {"email": email, "kind": kind}, format="json", REMOTE_ADDR=ip
        )
    return response, mailoutbox[sent_before:]


def link_from(message) -> str:
    [url] = re.findall(r"https?://\S+", message.body)
    assert url.startswith(f"{SITE}{CONFIRM}?token=")
    return url.removeprefix(SITE)


def token_of(path: str) -> str:
    return path.split("token=", 1)[1]


def rows() -> dict[int, dict]:
    return {values["id"]: values for values in Comment.objects.values()}


def approved_counts_agree() -> bool:
    for article in Article.objects.all():
        approved = Comment.objects.filter(article=article, status="approved").count()
        if article.comment_count != approved:
            return False
    return True


@pytest.fixture
def request_link(api_client, mailoutbox, django_capture_on_commit_callbacks):
    def make(email, kind):
        response, sent = ask(
            api_client, mailoutbox, django_capture_on_commit_callbacks, email, kind
        )
        assert response.status_code == 202
        [message] = sent
        return link_from(message)

    return make


# --- asking ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["export", "erase"])
def test_the_answer_is_the_same_for_known_and_unknown_addresses(
    api_client, world, mailoutbox, django_capture_on_commit_callbacks, kind
):
    capture = django_capture_on_commit_callbacks
    known, known_mail = ask(api_client, mailoutbox, capture, ALICE, kind, ip="192.0.2.1")
    unknown, unknown_mail = ask(api_client, mailoutbox, capture, UNKNOWN, kind, ip="192.0.2.2")

    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    assert known["Content-Type"] == unknown["Content-Type"]
    assert "If comments were written with this address" in known.json()["detail"]
    assert ALICE not in known.content.decode()

    assert unknown_mail == []
    [message] = known_mail
    assert message.to == [ALICE]
    assert kind in message.subject.lower()
    assert link_from(message)
    assert "48 hours" in message.body
    # Only the known address left a trace; nothing names the unknown one.
    [logged] = PrivacyRequest.objects.all()
    assert (logged.kind, logged.source, logged.email) == (kind, "reader", ALICE)
    assert logged.email_digest == email_digest(ALICE)
    assert logged.completed_at is None
    assert logged.requested_by is None


def test_the_address_is_matched_whatever_its_case(
    api_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    response, sent = ask(
        api_client,
        mailoutbox,
        django_capture_on_commit_callbacks,
        "  Alice.Private@Reader.EXAMPLE ",
        "export",
    )
    assert response.status_code == 202
    [message] = sent
    assert message.to == [ALICE]


def test_nothing_is_sent_before_the_request_commits(
    api_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_client.post(REQUESTS, {"email": ALICE, "kind": "export"}, format="json")
    assert response.status_code == 202
    assert len(callbacks) == 1
    assert mailoutbox == []
    assert not PrivacyRequest.objects.exists()


def test_the_emailed_link_works(api_client, world, request_link):
    link = request_link(ALICE, "export")
    response = api_client.get(link)
    assert response.status_code == 200
    assert len(response.json()["comments"]) == 5


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"email": ALICE, "kind": "export", "comments": "all"}, {"comments"}),
        ({"email": ALICE, "kind": "erase", "status": "done"}, {"status"}),
        ({"email": "not-an-address", "kind": "export"}, {"email"}),
        ({"email": "", "kind": "export"}, {"email"}),
        ({"email": ALICE, "kind": "delete"}, {"kind"}),
        ({"email": ALICE}, {"kind"}),
        ({"kind": "erase"}, {"email"}),
    ],
)
def test_malformed_requests_are_refused(
    api_client, world, mailoutbox, django_capture_on_commit_callbacks, data, fields
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(REQUESTS, data, format="json")
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert mailoutbox == []
    assert not PrivacyRequest.objects.exists()


def test_an_invalid_address_is_not_echoed(api_client, db):
    response = api_client.post(
        REQUESTS, {"email": "secret-not-an-address@", "kind": "export"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"email": ["Enter a valid email address."]}


def test_requests_are_throttled_per_client_ip(
    api_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    for n in range(5):
        email = ALICE if n == 0 else f"someone{n}@reader.example"
        response, _ = ask(api_client, mailoutbox, capture, email, "export", ip="192.0.2.50")
        assert response.status_code == 202

    refused, sent = ask(api_client, mailoutbox, capture, ALICE, "export", ip="192.0.2.50")
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert sent == []
    # Another client is not affected.
    other, _ = ask(api_client, mailoutbox, capture, UNKNOWN, "erase", ip="192.0.2.51")
    assert other.status_code == 202
    assert len(mailoutbox) == 1
    assert PrivacyRequest.objects.count() == 1


# --- export -----------------------------------------------------------------------------


def expected_export_item(comment: Comment, article: Article) -> dict:
    return {
        "id": comment.pk,
        "article_title": article.title,
        "article_url": f"{SITE}/articles/{article.slug}/",
        "author_name": "Alice Liddell",
        "author_email": ALICE,
        "author_url": "https://alice.example/blog",
        "ip_address": comment.ip_address,
        "user_agent": comment.user_agent,
        "submitted_at": comment.submitted_at.isoformat(),
        "body": comment.body,
        "status": comment.status,
        "parent": comment.parent_id,
    }


def test_the_export_holds_every_comment_of_the_address_and_nothing_else(
    api_client, world, request_link
):
    c = world["comments"]
    before = rows()

    response = api_client.get(request_link(ALICE, "export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="my-comments.json"'
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert set(data) == {
        "email",
        "exported_at",
        "comments",
        # The commenter record, sanctions, moderators' notes (tests/comments/test_sanctions.py).
        "commenter",
        "sanctions",
        "moderator_note_count",
    }
    assert data["email"] == ALICE
    first, second = world["first"], world["second"]
    assert data["comments"] == [
        {
            **expected_export_item(c["alice_top"], first),
            "ip_address": "203.0.113.7",
            "user_agent": "AliceBrowser/7.0",
            "submitted_at": "2026-03-02T12:30:15+00:00",
            "body": "Alice's approved opinion.",
            "status": "approved",
            "parent": None,
        },
        {
            **expected_export_item(c["alice_reply"], first),
            "ip_address": "2001:db8::7",
            "submitted_at": "2026-03-04T12:30:15+00:00",
            "body": "Alice answers Bob.",
            "status": "approved",
            "parent": c["bob_top"].pk,
        },
        {
            **expected_export_item(c["alice_pending"], second),
            "body": "Alice's held words.",
            "status": "pending",
        },
        {
            **expected_export_item(c["alice_spam"], second),
            "body": "Alice's spammy words.",
            "status": "spam",
        },
        {
            **expected_export_item(c["alice_removed"], second),
            "ip_address": None,
            "user_agent": "",
            "body": "Alice's removed words.",
            "status": "removed",
        },
    ]
    text = response.content.decode()
    for other in (BOB, "Bob starts", "Carol", "203.0.113.20", "BobBrowser"):
        assert other not in text
    # Exporting changes no comment.
    assert rows() == before


def test_the_export_link_can_be_used_again_while_it_is_valid(
    api_client, world, request_link, clock
):
    link = request_link(ALICE, "export")

    first = api_client.get(link)
    assert first.status_code == 200
    logged = PrivacyRequest.objects.get()
    assert logged.completed_at is not None
    assert logged.comments_affected == 5
    completed_at = logged.completed_at

    clock(47 * 3600)
    again = api_client.post(link)  # the POST form of the link too
    assert again.status_code == 200
    assert again.json()["comments"] == first.json()["comments"]
    logged.refresh_from_db()
    assert logged.completed_at == completed_at  # the first download is what is logged
    assert logged.email == ALICE  # an export keeps its log entry as it was


def test_an_export_reflects_the_comments_as_they_are_now(api_client, world, request_link):
    link = request_link(ALICE, "export")
    comments_moderate(ids=[world["comments"]["alice_pending"].pk], status="approved")
    statuses = [item["status"] for item in api_client.get(link).json()["comments"]]
    assert statuses == ["approved", "approved", "approved", "spam", "removed"]


# --- erasure ----------------------------------------------------------------------------


def test_erasure_anonymizes_the_listed_fields_and_nothing_else(api_client, world, request_link):
    c = world["comments"]
    alice_ids = {c[key].pk for key in ALICE_KEYS}
    before = rows()
    link = request_link(ALICE, "erase")

    response = api_client.get(link)

    assert response.status_code == 200
    assert response.json() == {
        "detail": "Your comments have been anonymized.",
        "comments_erased": 5,
    }
    after = rows()
    assert set(after) == set(before)
    for pk, old in before.items():
        if pk not in alice_ids:
            assert after[pk] == old  # other people's comments: every column untouched
            continue
        expected = {**old, **ANONYMIZED}
        if old["status"] != "approved":
            expected["body"] = ""
        assert after[pk] == expected
    # Approved words are kept (WordPress's eraser does the same) ...
    assert after[c["alice_top"].pk]["body"] == "Alice's approved opinion."
    # ... the rest is gone.
    assert after[c["alice_pending"].pk]["body"] == ""
    assert not Comment.objects.filter(author_email=ALICE).exists()
    # Alice's account is not deleted, only unlinked.
    assert world["alice_user"].__class__.objects.filter(pk=world["alice_user"].pk).exists()


def test_erasure_keeps_threads_and_counts(api_client, world, request_link):
    c = world["comments"]
    first, second = world["first"], world["second"]
    structure = {
        values["id"]: values
        for values in Comment.objects.values("id", "parent_id", "depth", "is_listed", "status")
    }

    assert api_client.get(request_link(ALICE, "erase")).status_code == 200

    after = {
        values["id"]: values
        for values in Comment.objects.values("id", "parent_id", "depth", "is_listed", "status")
    }
    assert after == structure
    assert Article.objects.get(pk=first.pk).comment_count == 5
    assert Article.objects.get(pk=second.pk).comment_count == 1
    assert approved_counts_agree()

    listing = api_client.get(f"/api/v1/articles/{first.slug}/comments/").json()["results"]
    assert [
        (item["id"], item["author_name"], item["author_url"], item["body"]) for item in listing
    ] == [
        (c["bob_top"].pk, "Bob", "https://bob.example", "Bob starts a thread."),
        (c["alice_top"].pk, "Anonymous", "", "Alice's approved opinion."),
        (c["bob_reply"].pk, "Bob", "", "Bob replies to himself."),
        (c["alice_reply"].pk, "Anonymous", "", "Alice answers Bob."),
        (c["bob_under_alice"].pk, "Bob", "", "Bob answers Alice."),
    ]
    assert listing[3]["parent"] == c["bob_top"].pk
    assert listing[4]["parent"] == c["alice_top"].pk


def test_erasure_can_replace_approved_words_too(api_client, world, request_link):
    policy = ModerationPolicy.load()
    policy.erase_keeps_approved_bodies = False
    policy.save()
    c = world["comments"]

    assert api_client.get(request_link(ALICE, "erase")).status_code == 200

    bodies = dict(Comment.objects.values_list("id", "body"))
    assert bodies[c["alice_top"].pk] == "[removed at the author's request]"
    assert bodies[c["alice_reply"].pk] == "[removed at the author's request]"
    assert bodies[c["alice_pending"].pk] == ""
    assert bodies[c["alice_spam"].pk] == ""
    assert bodies[c["alice_removed"].pk] == ""
    assert bodies[c["bob_top"].pk] == "Bob starts a thread."
    assert bodies[c["carol"].pk] == "Carol mentions alice.private@reader.example by name."
    listing = api_client.get(f"/api/v1/articles/{world['first'].slug}/comments/").json()["results"]
    assert [item["body"] for item in listing if item["author_name"] == "Anonymous"] == [
        "[removed at the author's request]",
        "[removed at the author's request]",
    ]
    assert approved_counts_agree()


def test_an_erasure_link_works_once_and_the_log_forgets_the_address(
    api_client, world, request_link
):
    link = request_link(ALICE, "erase")
    assert api_client.get(link).status_code == 200
    snapshot = rows()

    again = api_client.get(link)

    assert again.status_code == 400
    assert again.json() == {"token": ["This erasure link has already been used."]}
    assert api_client.post(link).status_code == 400
    assert rows() == snapshot
    logged = PrivacyRequest.objects.get()
    assert logged.kind == "erase"
    assert logged.source == "reader"
    assert logged.completed_at is not None
    assert logged.comments_affected == 5
    assert logged.email == ""
    assert logged.email_digest == email_digest(ALICE)


def test_after_an_erasure_no_log_entry_keeps_the_address(api_client, world, request_link):
    export_link = request_link(ALICE, "export")
    assert api_client.get(export_link).status_code == 200
    unused_erase_link = request_link(ALICE, "erase")
    erase_link = request_link(ALICE, "erase")

    assert api_client.get(erase_link).status_code == 200

    assert PrivacyRequest.objects.count() == 3
    assert not PrivacyRequest.objects.exclude(email="").exists()
    assert set(PrivacyRequest.objects.values_list("email_digest", flat=True)) == {
        email_digest(ALICE)
    }
    # The older links lead nowhere now, and above all not to other people's comments.
    anonymous_before = rows()
    for link in (export_link, unused_erase_link):
        response = api_client.get(link)
        assert response.status_code == 400
        assert "token" in response.json()
        assert b"Anonymous" not in response.content
    assert rows() == anonymous_before


def test_after_an_erasure_a_new_request_finds_nothing(
    api_client, world, request_link, mailoutbox, django_capture_on_commit_callbacks
):
    assert api_client.get(request_link(ALICE, "erase")).status_code == 200
    response, sent = ask(
        api_client, mailoutbox, django_capture_on_commit_callbacks, ALICE, "export", ip="192.0.2.9"
    )
    assert response.status_code == 202
    assert sent == []


# --- links that must not work -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["export", "erase"])
def test_links_expire(api_client, world, request_link, clock, settings, kind):
    link = request_link(ALICE, kind)
    before = rows()

    clock(settings.PRIVACY_LINK_MAX_AGE + 5)
    response = api_client.get(link)

    assert response.status_code == 400
    assert response.json() == {"token": ["This link has expired. Please ask again."]}
    assert rows() == before
    assert PrivacyRequest.objects.get().completed_at is None


def test_the_link_lifetime_follows_the_setting(api_client, world, request_link, clock, settings):
    settings.PRIVACY_LINK_MAX_AGE = 600
    link = request_link(ALICE, "export")
    clock(590)
    assert api_client.get(link).status_code == 200
    clock(610)
    assert api_client.get(link).status_code == 400


def _tampered(token: str) -> list[str]:
    value, _, signature = token.rpartition(":")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    payload_changed = ("x" + value[1:]) if not value.startswith("x") else ("y" + value[1:])
    return [f"{value}:{flipped}", f"{payload_changed}:{signature}", token[:-3], token + "x"]


def test_altered_links_are_refused(api_client, world, request_link):
    token = token_of(request_link(ALICE, "erase"))
    before = rows()
    for bad in [*_tampered(token), "", "nonsense", "a:b:c"]:
        response = api_client.get(CONFIRM, {"token": bad})
        assert response.status_code == 400, bad
        assert response.json() == {"token": ["This link is not valid."]}
    assert api_client.get(CONFIRM).status_code == 400
    assert rows() == before
    assert PrivacyRequest.objects.get().completed_at is None


def test_tokens_signed_for_something_else_are_refused(api_client, world, request_link):
    erase_request_link = request_link(ALICE, "erase")
    erase_request = PrivacyRequest.objects.get(kind="erase")
    before = rows()
    payload = {"r": erase_request.pk, "k": "erase"}
    forged = [
        # The right payload under another salt (an edit token's, an unsubscribe link's).
        signing.dumps(payload, salt="comments.edit-token", compress=True),
        signing.dumps(payload, salt="comments.unsubscribe-replies", compress=True),
        signing.dumps(payload),
        # The right salt, another key.
        signing.dumps(payload, key="not-the-secret-key", salt=LINK_SALT, compress=True),
    ]
    for token in forged:
        response = api_client.get(CONFIRM, {"token": token})
        assert response.status_code == 400
        assert response.json() == {"token": ["This link is not valid."]}
    assert rows() == before
    assert api_client.get(erase_request_link).status_code == 200


def test_an_export_link_cannot_erase(api_client, world, request_link):
    export_link = request_link(ALICE, "export")
    export_request = PrivacyRequest.objects.get(kind="export")
    data = signing.loads(token_of(export_link), salt=LINK_SALT)
    assert data == {"r": export_request.pk, "k": "export"}  # the kind is signed
    before = rows()

    assert api_client.post(export_link).status_code == 200  # even by POST, it exports
    assert api_client.get(export_link).status_code == 200

    assert rows() == before
    # A payload naming the export request as an erasure matches no request.
    relabelled = signing.dumps(
        {"r": export_request.pk, "k": "erase"}, salt=LINK_SALT, compress=True
    )
    response = api_client.get(CONFIRM, {"token": relabelled})
    assert response.status_code == 400
    assert rows() == before


def test_a_link_for_a_request_that_does_not_exist_is_refused(api_client, world):
    token = signing.dumps({"r": 999999, "k": "erase"}, salt=LINK_SALT, compress=True)
    response = api_client.get(CONFIRM, {"token": token})
    assert response.status_code == 400


def test_confirmation_leaks_no_private_data_on_errors(
    api_client, world, request_link, clock, settings
):
    link = request_link(ALICE, "export")
    clock(settings.PRIVACY_LINK_MAX_AGE + 5)
    response = api_client.get(link)
    assert response.status_code == 400
    assert ALICE not in response.content.decode()
