"""Schema fuzzing: schemathesis drives every operation of our own OpenAPI schema with every
check it has, as two identities, statelessly and through workflows (the stateful phase).

The schema is read from `/api/schema/` and every request is sent to the project's WSGI
application in this process (no server, no network), inside pytest-django's test
transaction. Seeded data and hooks (tests/security/schema_fuzz.py) make the generated
requests reach real rows: a path `slug` or `id` is often swapped for one that exists, and
the edit, unsubscribe and privacy operations are often sent a valid token.

Identities: `anonymous` (no credentials of its own) and `staff` (a staff user's
`Authorization: Token`), each on every operation, the public ones and the staff ones
(/api/v1/moderation/...), which answer an anonymous caller the documented 401/403.

Checks, all of schemathesis 4.32.5's (`schemathesis.checks` and
`schemathesis.specs.openapi.checks`; test_every_schemathesis_check_runs fails when a new
version brings one more):

- not_a_server_error: no 5xx.
- status_code_conformance, content_type_conformance, response_schema_conformance,
  response_headers_conformance: the answer is documented (status, media type, body,
  headers).
- negative_data_rejection: a schema-violating request is refused (4xx).
- positive_data_acceptance: a schema-valid request is accepted (or 401/403/404/409/429).
- missing_required_header: leaving out a required header is refused.
- unsupported_method: a method the schema does not list answers 405 with `Allow`.
- allow_header_conformance: `Allow` lists exactly the documented methods.
- ignored_auth: an operation that requires credentials refuses the request without them
  and with broken ones (replayed for every staff answer that succeeded).
- use_after_free, ensure_resource_availability: a withdrawn comment is gone, a created
  one is there (they need the stateful phase's history).
- object_level_authorization: runs, and is inert here: it compares peer users of a Web
  Fuzzing Commons auth document, and this API has no per-user objects (a reader's comment
  is theirs by its edit token, not by an identity; every staff user sees everything).

Not run: max_response_time (a timing limit would make the suite depend on the machine).

Failures that are false positives, or open findings that a later fix must resolve, are
dropped by a `filter_failure` hook only where their predicate holds (KNOWN_FAILURES in
tests/security/schema_fuzz.py, each listed in docs/security.md).

The stateful phase (`test_stateful_workflows`) runs schemathesis's state machine along
OpenAPI links, which the test adds to the schema (schema_fuzz.LINKS: a posted comment's
`id` and `edit_token` lead to editing, withdrawing, replying to, listing, flagging,
reacting to and moderating it; an edit leads to a withdrawal, a withdrawal to an edit and a
flag that must find the comment gone), and along the links schemathesis infers. Each
scenario has at most STATEFUL_STEPS steps and is rolled back afterwards.

`test_staff_operations_refuse_anonymous_callers` checks the anonymous answer of each staff
operation in detail.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import hypothesis
import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import load_all_checks
from schemathesis.generation.stateful.state_machine import DEFAULT_STATE_MACHINE_SETTINGS

from articles.models import Article, ArticleSlugRedirect
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
from tests.security.schema_fuzz import (
    ARTICLE_SLUG,
    CHECKS,
    IDENTITIES,
    KNOWN_FAILURES,
    LINKS,
    PINNED_COMMENT_ID,
    SEEDED,
    STAFF_PREFIX,
    schema,
    stateful_schema,
)

# Generated cases per operation and identity in the fuzzing phase (the examples and
# coverage phases add a bounded, deterministic set). FUZZ_MAX_EXAMPLES=500 for a deeper run
# by hand; FUZZ_STATEFUL_EXAMPLES likewise for the stateful phase's scenarios.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "15"))
STATEFUL_EXAMPLES = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "10"))
STATEFUL_STEPS = 6

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"


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


@pytest.fixture(params=IDENTITIES)
def identity(request, fuzz_data):
    """Who the test calls as; the auth provider (schema_fuzz.StaffToken) reads it."""
    fuzz_data.identity = request.param
    return request.param


@schema.parametrize()
@hypothesis_settings(
    max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck)
)
def test_api_conforms_to_its_schema(case, fuzz_data, identity):
    case.call_and_validate(checks=CHECKS)


class CommentWorkflows(stateful_schema.as_state_machine()):
    """Scenarios of a few steps along the links (schema_fuzz.LINKS and the inferred ones),
    every response checked by every check with the scenario's history. Each scenario
    starts from the seeded rows and an empty cache: Hypothesis replays scenarios, and a
    replay must meet the same answers (a second post of the same words is a 409)."""

    def setup(self):
        self.scenario = transaction.atomic()
        self.scenario.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self.scenario.__exit__(None, None, None)
        cache.clear()
        super().teardown()

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(
            response, checks=CHECKS, transport_kwargs=kwargs or None, recorder=self.recorder
        )


def test_stateful_workflows(fuzz_data, identity):
    CommentWorkflows.run(
        settings=hypothesis.settings(
            DEFAULT_STATE_MACHINE_SETTINGS,
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
        )
    )


def test_every_schemathesis_check_runs():
    load_all_checks()
    assert {check.__name__ for check in CHECKS} == set(REGISTERED_CHECKS.get_all_names())


def test_the_links_become_transitions_of_the_state_machine():
    """Every added link resolves to an operation and is a rule of the state machine (the
    inferred links are rules too)."""
    rules = [name for name in dir(CommentWorkflows) if "__" in name.strip("_")]
    for links in LINKS.values():
        for name in links:
            assert any(f"_{name}__" in rule for rule in rules), name


def _known_failures_section() -> str:
    text = DOCS.read_text()
    heading = "## Schema fuzzing: known false positives and open findings"
    assert heading in text
    return text.split(heading, 1)[1]


def test_every_known_failure_is_documented():
    """Each entry of KNOWN_FAILURES has its line in docs/security.md: its check, its
    operations and its verdict, in one table row."""
    rows = [line for line in _known_failures_section().splitlines() if line.startswith("|")]
    for known in KNOWN_FAILURES:
        assert any(
            f"`{known.check}`" in row
            and known.verdict in row
            and all(f"`{operation}`" in row for operation in known.operations)
            for row in rows
        ), (known.check, known.operations)


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
    url = path.replace("{id}", str(comment.pk)).replace("{slug}", comment.article.slug)
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


class _Answered:
    """What `narrowed_as_asked` reads of a response: the URL sent and the JSON body."""

    def __init__(self, url: str, body: dict):
        self.request = type("Sent", (), {"url": url})()
        self._body = body

    def json(self):
        return self._body


@pytest.mark.parametrize(
    ("body", "known"),
    [
        ({"title": "Leica", "url": "https://example.com/a/"}, True),
        ({"title": "Leica", "url": "https://example.com/a/", "slug": "leica"}, False),  # extra
        ({"title": "Leica"}, False),  # one asked for is missing
        ({"title": 7, "url": "https://example.com/a/"}, False),  # a wrong type stays a failure
    ],
)
def test_a_narrowed_answer_is_known_only_when_it_holds_the_fields_asked_for(body, known):
    from tests.security.schema_fuzz import narrowed_as_asked

    operation = schema["/api/v1/articles/{slug}/"]["GET"]
    case = operation.Case(path_parameters={"slug": "leica"}, query={"fields": "title,url"})
    response = _Answered("http://localhost/api/v1/articles/leica/?fields=title,url", body)

    assert narrowed_as_asked(case, response) is known
