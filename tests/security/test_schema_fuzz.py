"""Schema fuzzing: schemathesis drives every operation of our own OpenAPI schema.

The schema is read from `/api/schema/` and every request is sent to the project's WSGI
application in this process (no server, no network), inside pytest-django's test
transaction. Each operation is one test item with a bounded number of generated cases
(positive and negative data, schemathesis's examples, fuzzing and coverage phases); every
response must be no 5xx and must match the schema: a documented status code, the
documented content type and a body that validates against the documented schema.

Seeded data and schemathesis hooks make the generated requests reach real rows: a path
`slug` or `id` is often swapped for one that exists, and the edit, unsubscribe and privacy
operations are often sent a valid token, so the fuzzer gets past the 404/403 answers.

Staff operations are fuzzed with a staff token (so their bodies and filters are reached);
`test_staff_operations_refuse_anonymous_callers` checks the anonymous answer for each.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from articles.models import Article, ArticleSlugRedirect
from cms.wsgi import application
from comments import notifications, privacy, services
from comments.models import Comment, ModerationPolicy, PrivacyRequest
from tests.comments.factories import CommentFactory
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    StaffUserFactory,
    TagFactory,
    UserFactory,
)

SCHEMA_PATH = "/api/schema/"
STAFF_PREFIX = "/api/v1/moderation/"
# Generated cases per operation in the fuzzing phase (the examples and coverage phases add
# a bounded, deterministic set). FUZZ_MAX_EXAMPLES=500 for a deeper run by hand.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "15"))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# A random slug or id would stop nearly every generated body at a 404, so these operations
# always address seeded rows: comments are posted to and listed from the visible article,
# and the staff and flag operations act on a comment with a fixed id (far above what the
# database's sequence hands out, on SQLite and PostgreSQL alike).
ARTICLE_SLUG = "leica"
PINNED_COMMENT_ID = 999_999_999
CONFIG = schemathesis.Config.from_dict(
    {
        "operations": [
            {
                "include-path": "/api/v1/articles/{slug}/comments/",
                "parameters": {"path.slug": ARTICLE_SLUG},
            },
            {
                "include-path": [
                    "/api/v1/moderation/comments/{id}/",
                    "/api/v1/comments/{id}/flag/",
                    "/api/v1/comments/{id}/reactions/",
                ],
                "parameters": {"path.id": PINNED_COMMENT_ID},
            },
        ]
    }
)

# Read from the application itself at collection (the view needs no database).
schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, application, config=CONFIG)


@dataclass
class Seeded:
    """Rows that exist in the current test's database, for the hooks below."""

    article_slugs: list[str] = field(default_factory=list)
    category_slugs: list[str] = field(default_factory=list)
    tag_slugs: list[str] = field(default_factory=list)
    comment_ids: list[int] = field(default_factory=list)
    # (comment id, edit token): a valid X-Edit-Token for that comment.
    edit_tokens: list[tuple[int, str]] = field(default_factory=list)
    unsubscribe_tokens: list[str] = field(default_factory=list)
    privacy_tokens: list[str] = field(default_factory=list)
    staff_token: str = ""


SEEDED = Seeded()


def _half_seeded(values: list, apply, original):
    """Half of the draws as generated, half with one of the seeded values applied. Hooks
    run while the test runs, so `values` are those of the current test's database."""
    if not values:
        return st.just(original)
    return st.one_of(st.just(original), st.sampled_from(values).map(apply))


def _slugs_for(path: str) -> list[str]:
    if path.startswith("/api/v1/articles/"):
        return SEEDED.article_slugs
    if path.startswith("/api/v1/categories/"):
        return SEEDED.category_slugs
    if path.startswith("/api/v1/tags/"):
        return SEEDED.tag_slugs
    return []


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Point a generated `slug` or `id` at a row that exists, half of the time (the
    operations pinned in CONFIG keep their fixed value)."""
    if not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    if "slug" in path_parameters:
        slugs = _slugs_for(context.operation.path)
        return _half_seeded(slugs, lambda slug: {**path_parameters, "slug": slug}, path_parameters)
    if "id" in path_parameters:
        ids = SEEDED.comment_ids
        return _half_seeded(ids, lambda pk: {**path_parameters, "id": pk}, path_parameters)
    return st.just(path_parameters)


_QUERY_TOKENS = {
    "/api/v1/comments/unsubscribe/": lambda: SEEDED.unsubscribe_tokens,
    "/api/v1/privacy/requests/confirm/": lambda: SEEDED.privacy_tokens,
}


@schema.hook
def flatmap_case(context, case):
    """Hand the token-guarded operations a valid token, half of the time."""
    path = context.operation.path
    if path == "/api/v1/comments/{id}/":

        def with_edit_token(choice):
            pk, token = choice
            case.path_parameters = {**(case.path_parameters or {}), "id": pk}
            case.headers = {**(case.headers or {}), "X-Edit-Token": token}
            return case

        return _half_seeded(SEEDED.edit_tokens, with_edit_token, case)
    if path in _QUERY_TOKENS:

        def with_query_token(token):
            case.query = {**(case.query or {}), "token": token}
            return case

        return _half_seeded(_QUERY_TOKENS[path](), with_query_token, case)
    return st.just(case)


@pytest.fixture
def keep_test_connection():
    """Django closes "obsolete" connections when a request starts and ends; inside the
    test transaction that would close it (Django's own test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def no_throttling(settings, monkeypatch):
    """Throttle rates high enough that the fuzzer never meets a 429 from DRF.

    SimpleRateThrottle copies DEFAULT_THROTTLE_RATES into a class attribute at import,
    so the settings override alone would not reach it."""
    rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1000000/minute")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


@pytest.fixture
def fuzz_data(db, keep_test_connection, no_throttling):
    """Every kind of row the API answers about, and the seeds for the hooks."""
    policy = ModerationPolicy.load()
    policy.flood_interval_seconds = 0  # a flood 429 would make the fuzz depend on timing
    policy.default_status = ModerationPolicy.DefaultStatus.APPROVED
    policy.approved_comments_required = 0  # first comments are published at once too
    policy.save()

    root = CategoryFactory(slug="technology", name="Technology")
    child = CategoryFactory(slug="tech-industry", name="Tech Industry", parent=root)
    empty = CategoryFactory(slug="empty")
    tag, other_tag = TagFactory(slug="cameras"), TagFactory(slug="lenses")
    author = AuthorFactory(slug="jane-doe")
    now = timezone.now()
    visible = ArticleFactory(
        slug=ARTICLE_SLUG, category=child, author=author, tags=[tag, other_tag]
    )
    ArticleFactory(slug="second", category=root, author=author, tags=[tag])
    closed = ArticleFactory(slug="closed", comments_enabled=False)
    ArticleFactory(slug="draft", status=Article.Status.DRAFT)
    ArticleFactory(
        slug="scheduled", status=Article.Status.SCHEDULED, published_at=now + timedelta(days=1)
    )
    ArticleSlugRedirect.objects.create(old_slug="old-leica", article=visible)

    top = CommentFactory(
        pk=PINNED_COMMENT_ID, article=visible, body="First! See https://example.com/a."
    )
    reply = CommentFactory(article=visible, parent=top, depth=1, body="A reply.\n\nTwo paras")
    CommentFactory(article=visible, status=Comment.Status.PENDING, is_listed=False)
    CommentFactory(article=visible, status=Comment.Status.SPAM, is_listed=False)
    CommentFactory(article=closed)
    created = services.comment_create(
        article=visible,
        author_name="Editor of own words",
        author_email="author@example.com",
        body="I may edit this.",
        ip_address="192.0.2.1",
        notify_replies=True,
    )
    own = created.comment
    # The factories write rows directly: count the approved comments as the services do.
    services.comment_counts_refresh(article_ids=[visible.pk, closed.pk])
    export = privacy.privacy_request_mail_link(email="author@example.com", kind="export")
    erase = PrivacyRequest.objects.create(
        kind=PrivacyRequest.Kind.ERASE,
        source=PrivacyRequest.Source.READER,
        email="author@example.com",
        email_digest=privacy.email_digest("author@example.com"),
    )

    staff = StaffUserFactory(password=None)  # unusable: no slow hashing
    SEEDED.article_slugs[:] = [ARTICLE_SLUG, "second", "closed", "draft", "scheduled", "old-leica"]
    SEEDED.category_slugs[:] = [root.slug, child.slug, empty.slug]
    SEEDED.tag_slugs[:] = [tag.slug, other_tag.slug]
    SEEDED.comment_ids[:] = [top.pk, reply.pk, own.pk]
    SEEDED.edit_tokens[:] = [(own.pk, created.edit_token)]
    SEEDED.unsubscribe_tokens[:] = [notifications.unsubscribe_token(own)]
    SEEDED.privacy_tokens[:] = [privacy.link_token(export), privacy.link_token(erase)]
    SEEDED.staff_token = Token.objects.create(user=staff).key
    yield SEEDED
    SEEDED.__init__()


@schema.parametrize()
@hypothesis_settings(
    max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck)
)
def test_api_conforms_to_its_schema(case, fuzz_data):
    headers = None
    if case.path.startswith(STAFF_PREFIX):
        headers = {"Authorization": f"Token {fuzz_data.staff_token}"}
    case.call_and_validate(headers=headers, checks=CHECKS)


def _staff_operations() -> list[tuple[str, str]]:
    raw = schema.raw_schema["paths"]
    return sorted(
        (method.upper(), path)
        for path, item in raw.items()
        if path.startswith(STAFF_PREFIX)
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )


def test_the_schema_documents_the_staff_operations_as_staff_only():
    operations = _staff_operations()
    assert set(operations) >= {
        ("GET", "/api/v1/moderation/comments/"),
        ("GET", "/api/v1/moderation/comments/{id}/"),
        ("PATCH", "/api/v1/moderation/comments/{id}/"),
        ("POST", "/api/v1/moderation/comments/bulk/"),
    }
    for method, path in operations:
        operation = schema.raw_schema["paths"][path][method.lower()]
        assert {} not in operation.get("security", [{}]), (method, path)  # no anonymous access
        assert {"401", "403"} <= set(operation["responses"]), (method, path)


@pytest.mark.parametrize(("method", "path"), _staff_operations())
@pytest.mark.parametrize("who", ["anonymous", "bad-token", "reader-session", "reader-token"])
def test_staff_operations_refuse_anonymous_callers(api_client, db, method, path, who):
    """Every staff operation in the schema answers 401/403 to anyone but staff, and
    changes nothing."""
    comment = CommentFactory()
    if who == "bad-token":
        api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    elif who == "reader-session":  # signed in, not staff
        api_client.force_login(UserFactory(password=None))
    elif who == "reader-token":
        reader_token = Token.objects.create(user=UserFactory(password=None))
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {reader_token.key}")
    url = path.replace("{id}", str(comment.pk))
    body = {"status": "removed", "ids": [comment.pk]} if "bulk" in path else {"status": "removed"}
    response = api_client.generic(
        method,
        url,
        data="" if method == "GET" else json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code in (401, 403), (method, url, response.status_code)
    assert set(response.json()) == {"detail"}
    assert "reader" not in response.content.decode().lower()  # no comment data at all
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


# --- what the fuzzer found, kept as plain regression tests ------------------------------


@pytest.mark.parametrize("ordering", [",", ",,,,,", ",title,", "-comment_count,,"])
def test_empty_ordering_terms_are_skipped(api_client, db, ordering):
    ArticleFactory()
    response = api_client.get("/api/v1/articles/", {"ordering": ordering})
    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    "moment",
    [
        "0001-01-01T00:00:00+05:00",  # before year 1 once in UTC
        "9999-12-31T23:00:00-05:00",  # after year 9999 once in UTC
    ],
)
def test_published_filters_out_of_range_in_utc_are_400(api_client, db, moment):
    response = api_client.get("/api/v1/articles/", {"published_after": moment})
    assert response.status_code == 400
    assert set(response.json()) == {"published_after"}


def test_published_filters_accept_offsets_postgresql_would_refuse(api_client, db):
    ArticleFactory(published_at=timezone.now() - timedelta(days=1))
    # -19:19 is valid ISO 8601 and Python; PostgreSQL only takes offsets up to ±15:59.
    response = api_client.get("/api/v1/articles/", {"published_after": "2000-04-17T17:14:45-19:19"})
    assert response.status_code == 200
    assert response.json()["count"] == 1
