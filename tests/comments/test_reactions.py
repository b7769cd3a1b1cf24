"""POST/DELETE /api/v1/comments/{id}/reactions/: a reader's one reaction, counted once per
client (trusted IP + reader token), idempotent, throttled, only on listed comments."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import Article
from comments import cache as comments_cache
from comments import reactions
from comments.api.public.throttles import CommentReactThrottle
from comments.models import Comment, CommentReaction, ModerationPolicy
from tests.comments.factories import CommentFactory
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

IP = "198.51.100.23"
OTHER_IP = "203.0.113.9"
TOKEN = "A" * 10 + "b-_" + "9" * 30  # 43 URL-safe characters, like new_reader_token()
OTHER_TOKEN = "Z" * 43


def reactions_url(comment) -> str:
    return f"/api/v1/comments/{comment.pk}/reactions/"


def react(client, comment, method="post", *, ip=IP, **headers):
    return getattr(client, method)(reactions_url(comment), REMOTE_ADDR=ip, **headers)


def stored_count(comment) -> int:
    return Comment.objects.values_list("reaction_count", flat=True).get(pk=comment.pk)


def set_policy(**fields) -> None:
    policy = ModerationPolicy.load()
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.save()


@pytest.fixture
def comment():
    return CommentFactory()


# --- once per client -----------------------------------------------------------------


def test_first_reaction_is_201_and_sets_the_reader_cookie(api_client, comment):
    response = react(api_client, comment)

    assert response.status_code == 201
    assert response.json() == {"reaction_count": 1, "reacted": True}
    assert stored_count(comment) == 1
    assert response["Cache-Control"] == "no-store"
    cookie = response.cookies["reader_token"]
    assert reactions.is_reader_token(cookie.value)
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/api/v1/comments/"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600


def test_same_cookie_and_ip_twice_is_counted_once(api_client, comment):
    first = react(api_client, comment)
    second = react(api_client, comment)  # the client sends the cookie back

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json() == {"reaction_count": 1, "reacted": True}
    assert "reader_token" not in second.cookies  # the cookie is not replaced
    assert stored_count(comment) == 1
    assert CommentReaction.objects.filter(comment=comment).count() == 1


def test_another_reader_on_the_same_ip_is_another_client(api_client, comment):
    """Two readers behind one NAT (an office, a household) each count."""
    react(api_client, comment)

    response = react(APIClient(), comment)  # no cookie yet: a new reader token

    assert response.status_code == 201
    assert response.json() == {"reaction_count": 2, "reacted": True}
    assert stored_count(comment) == 2


def test_the_same_token_from_another_ip_is_another_client(api_client, comment):
    """The rule is the pair (IP, token): a reader whose network changes is a new client
    (documented; bounded by the per-IP throttle)."""
    react(api_client, comment, HTTP_X_READER_TOKEN=TOKEN)

    response = react(api_client, comment, ip=OTHER_IP, HTTP_X_READER_TOKEN=TOKEN)

    assert response.status_code == 201
    assert stored_count(comment) == 2


def test_a_client_that_drops_its_cookie_is_a_new_client_each_time(comment):
    """Documented limit: a client that keeps no cookie and sends no token gets a new
    token each time; what bounds it is the comment_react throttle per IP."""
    statuses = [react(APIClient(), comment).status_code for _ in range(3)]

    assert statuses == [201, 201, 201]
    assert stored_count(comment) == 3


def test_reader_token_header_for_apps(api_client, comment):
    first = react(api_client, comment, HTTP_X_READER_TOKEN=TOKEN)
    again = react(api_client, comment, HTTP_X_READER_TOKEN=TOKEN)
    other = react(api_client, comment, HTTP_X_READER_TOKEN=OTHER_TOKEN)

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert "reader_token" not in first.cookies  # an app keeps its own token
    assert stored_count(comment) == 2


def test_the_header_wins_over_the_cookie(api_client, comment):
    api_client.cookies["reader_token"] = OTHER_TOKEN
    react(api_client, comment, HTTP_X_READER_TOKEN=TOKEN)

    by_cookie = react(api_client, comment)  # OTHER_TOKEN's client has not reacted
    by_header = react(api_client, comment, HTTP_X_READER_TOKEN=TOKEN)

    assert by_cookie.status_code == 201
    assert by_header.status_code == 200
    assert stored_count(comment) == 2


@pytest.mark.parametrize(
    "header",
    ["short", "x" * 65, "has space in it and is long enough", "é" * 30, "a/b+c=" * 5, ""],
)
def test_malformed_header_token_is_a_400_naming_it(api_client, comment, header):
    response = react(api_client, comment, HTTP_X_READER_TOKEN=header)

    assert response.status_code == 400
    assert list(response.json()) == ["X-Reader-Token"]
    assert stored_count(comment) == 0
    assert not CommentReaction.objects.exists()


@pytest.mark.parametrize("cookie", ["short", "x" * 65, "not a token at all, spaces"])
def test_malformed_cookie_is_replaced(api_client, comment, cookie):
    api_client.cookies["reader_token"] = cookie

    response = react(api_client, comment)

    assert response.status_code == 201
    assert reactions.is_reader_token(response.cookies["reader_token"].value)
    assert response.cookies["reader_token"].value != cookie


def test_cookie_is_secure_when_session_cookies_are(api_client, comment, settings):
    settings.SESSION_COOKIE_SECURE = True

    response = react(api_client, comment)

    assert response.cookies["reader_token"]["secure"] is True


def test_stored_client_key_is_a_keyed_hash_of_neither_value_alone(api_client, comment):
    response = react(api_client, comment)
    token = response.cookies["reader_token"].value

    (key,) = CommentReaction.objects.values_list("client_key", flat=True)

    assert len(key) == 64
    assert IP not in key
    assert token not in key
    assert key == reactions.client_key(ip_address=IP, reader_token=token)
    for plain in (IP, token, f"{IP}|{token}", f"{IP}{token}"):
        for algorithm in ("md5", "sha1", "sha256"):
            assert key != hashlib.new(algorithm, plain.encode()).hexdigest()
    assert IP not in token


def test_reaction_count_appears_in_the_public_list(api_client, comment):
    url = f"/api/v1/articles/{comment.article.slug}/comments/"
    assert api_client.get(url).json()["results"][0]["reaction_count"] == 0  # now cached

    react(api_client, comment)
    react(APIClient(), comment)

    (item,) = api_client.get(url).json()["results"]
    assert item["reaction_count"] == 2


# --- taking it back --------------------------------------------------------------------------


def test_delete_takes_the_reaction_back(api_client, comment):
    react(api_client, comment)

    response = react(api_client, comment, "delete")

    assert response.status_code == 200
    assert response.json() == {"reaction_count": 0, "reacted": False}
    assert stored_count(comment) == 0
    assert not CommentReaction.objects.exists()
    # And the reader may react again.
    assert react(api_client, comment).status_code == 201
    assert stored_count(comment) == 1


def test_delete_is_idempotent_and_leaves_other_clients_reactions(api_client, comment):
    react(APIClient(), comment)
    react(api_client, comment)

    first = react(api_client, comment, "delete")
    second = react(api_client, comment, "delete")

    assert first.json() == second.json() == {"reaction_count": 1, "reacted": False}
    assert second.status_code == 200
    assert stored_count(comment) == 1


def test_delete_without_any_token_changes_nothing_and_sets_no_cookie(api_client, comment):
    react(APIClient(), comment)

    response = react(api_client, comment, "delete")

    assert response.status_code == 200
    assert response.json() == {"reaction_count": 1, "reacted": False}
    assert "reader_token" not in response.cookies


# --- where reactions are allowed -----------------------------------------------------------


def _pending(article):
    return CommentFactory(article=article, status=Comment.Status.PENDING, is_listed=False)


def _spam(article):
    return CommentFactory(article=article, status=Comment.Status.SPAM, is_listed=False)


def _removed(article):
    return CommentFactory(article=article, status=Comment.Status.REMOVED, is_listed=False)


def _reply_under_a_hidden_comment(article):
    parent = _pending(article)
    return CommentFactory(article=article, parent=parent, depth=1, is_listed=False)


def _on_a_draft(article):
    comment = CommentFactory(article=article)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    return comment


def _on_a_future_article(article):
    comment = CommentFactory(article=article)
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() + timedelta(days=1))
    return comment


@pytest.mark.parametrize(
    "make",
    [
        _pending,
        _spam,
        _removed,
        _reply_under_a_hidden_comment,
        _on_a_draft,
        _on_a_future_article,
    ],
)
@pytest.mark.parametrize("method", ["post", "delete"])
def test_comments_the_public_cannot_see_are_404(api_client, make, method):
    comment = make(ArticleFactory())

    response = react(api_client, comment, method)

    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert "reader_token" not in response.cookies
    assert not CommentReaction.objects.exists()
    assert stored_count(comment) == 0


@pytest.mark.parametrize("method", ["post", "delete"])
def test_unknown_comment_is_404(api_client, method):
    response = getattr(api_client, method)("/api/v1/comments/987654321/reactions/")

    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("method", ["post", "delete"])
def test_disabled_reactions_are_403(api_client, comment, method):
    react(api_client, comment)
    set_policy(reactions_enabled=False)

    response = react(api_client, comment, method)

    assert response.status_code == 403
    assert response.json() == {"detail": "Reactions are turned off."}
    assert stored_count(comment) == 1


def test_article_detail_gives_the_reaction_label(api_client):
    article = ArticleFactory()
    url = f"/api/v1/articles/{article.slug}/"
    assert api_client.get(url).json()["reaction_label"] == "Respect"

    set_policy(reaction_label="Insightful")
    assert api_client.get(url).json()["reaction_label"] == "Insightful"

    set_policy(reactions_enabled=False)
    assert api_client.get(url).json()["reaction_label"] is None


def test_anonymous_reactions_need_no_csrf_token(comment):
    client = APIClient(enforce_csrf_checks=True)

    assert react(client, comment).status_code == 201


def test_a_signed_in_session_keeps_csrf_protection(comment):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(UserFactory(password=None))

    response = react(client, comment)

    assert response.status_code == 403
    assert stored_count(comment) == 0


# --- throttle, races, invalidation, query counts ------------------------------------------


def test_reactions_are_throttled_per_ip(comment, monkeypatch):
    rates = {**CommentReactThrottle.THROTTLE_RATES, "comment_react": "3/hour"}
    monkeypatch.setattr(CommentReactThrottle, "THROTTLE_RATES", rates)
    client = APIClient()
    react(client, comment)
    react(client, comment, "delete")
    react(client, comment)

    refused = react(APIClient(), comment)

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert stored_count(comment) == 1
    assert react(APIClient(), comment, ip=OTHER_IP).status_code == 201


def test_a_reaction_row_already_there_is_not_counted_again(comment):
    """The race between two requests of one client: the second insert meets the unique
    constraint inside its savepoint and answers like a repeat; the count stays right and
    the transaction goes on."""
    key = reactions.client_key(ip_address=IP, reader_token=TOKEN)
    CommentReaction.objects.create(comment=comment, client_key=key)  # the other request's
    Comment.objects.filter(pk=comment.pk).update(reaction_count=1)

    state = reactions.comment_react(comment_id=comment.pk, client_key=key)

    assert state == reactions.ReactionState(reaction_count=1, reacted=True, changed=False)
    assert stored_count(comment) == 1
    assert CommentReaction.objects.count() == 1


def test_changes_invalidate_the_article_comment_list(
    api_client, comment, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(
        comments_cache,
        "invalidate_threads",
        lambda *, slugs=(), article_ids=(): calls.append(list(slugs)),
    )

    with django_capture_on_commit_callbacks(execute=True):
        react(api_client, comment)
        react(api_client, comment)  # a repeat changes nothing
        react(api_client, comment, "delete")
        react(api_client, comment, "delete")

    assert calls == [[comment.article.slug], [comment.article.slug]]


@pytest.mark.parametrize(
    ("method", "first_time", "queries"),
    [
        # (Savepoints included: the transaction, and the insert's own savepoint.)
        ("post", True, 8),  # policy, locked comment + slug, insert, count update
        ("post", False, 8),  # ... the insert meets the constraint: rolled back, no update
        ("delete", True, 6),  # policy, locked comment + slug, delete, count update
        ("delete", False, 5),  # ... nothing deleted: no update
    ],
)
def test_query_count_does_not_grow_with_reactions(method, first_time, queries):
    quiet, popular = CommentFactory(), CommentFactory()
    for n in range(30):
        CommentReaction.objects.create(comment=popular, client_key=f"{n:064x}")
    counts = []
    for target in (quiet, popular):
        client = APIClient()
        if method == "delete" and first_time or method == "post" and not first_time:
            react(client, target, HTTP_X_READER_TOKEN=TOKEN)
        with CaptureQueriesContext(connection) as context:
            response = react(client, target, method, HTTP_X_READER_TOKEN=TOKEN)
        assert response.status_code in (200, 201)
        counts.append(len(context.captured_queries))

    assert counts == [queries, queries]


def test_reaction_answers_are_documented(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    path = schema["paths"]["/api/v1/comments/{id}/reactions/"]

    assert set(path["post"]["responses"]) == {"200", "201", "400", "403", "404", "429"}
    assert set(path["delete"]["responses"]) == {"200", "400", "403", "404", "429"}
    header = next(p for p in path["post"]["parameters"] if p["in"] == "header")
    assert header["name"] == "X-Reader-Token"
    detail = schema["components"]["schemas"]["ArticleDetail"]["properties"]
    assert detail["reaction_label"]["nullable"] is True


def test_reaction_body_is_ignored(api_client, comment):
    response = api_client.post(
        reactions_url(comment),
        data=json.dumps({"reaction_count": 1000, "client_key": "x"}),
        content_type="application/json",
        REMOTE_ADDR=IP,
    )

    assert response.status_code == 201
    assert stored_count(comment) == 1


@pytest.mark.parametrize("field", ["featured", "reaction_count", "featured_at"])
def test_readers_cannot_set_featured_or_counts_when_posting(api_client, field):
    article = ArticleFactory()

    response = api_client.post(
        f"/api/v1/articles/{article.slug}/comments/",
        {"author_name": "A", "author_email": "a@example.org", "body": "Hi", field: 5},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {field: ["Unknown field."]}
    assert not Comment.objects.exists()
