"""What tests/security/test_schema_fuzz.py drives schemathesis with: the schema (read from
the application, once as it is and once with the links of the stateful phase), the two
identities, the hooks that point generated requests at seeded rows, and the failures known
to be false positives or open findings (docs/security.md, "Schema fuzzing: known false
positives and open findings"), each dropped only where its predicate says so."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

import schemathesis
from django.conf import settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.jsonschema import make_validator
from schemathesis.core.parameters import ParameterLocation
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    object_level_authorization,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)

from cms.wsgi import application

SCHEMA_PATH = "/api/schema/"
STAFF_PREFIX = "/api/v1/moderation/"
IDENTITIES = ("anonymous", "staff")

# Every check schemathesis has (test_every_schemathesis_check_runs keeps this list whole).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
    use_after_free,
    ensure_resource_availability,
    ignored_auth,
    object_level_authorization,
]

# A random slug or id would stop nearly every generated body at a 404, so these operations
# always address seeded rows: comments are posted to and listed from the visible article,
# and the staff and flag operations act on a comment with a fixed id (far above what the
# database's sequence hands out, on SQLite and PostgreSQL alike). The id is a string, as
# the schema's path parameter is: a pinned integer would read as schema-violating.
ARTICLE_SLUG = "leica"
PINNED_COMMENT_ID = 999_999_999
COMMENTS_OF_THE_ARTICLE = "/api/v1/articles/{slug}/comments/"
PINNED_ID_PATHS = [
    "/api/v1/moderation/comments/{id}/",
    "/api/v1/comments/{id}/flag/",
    "/api/v1/comments/{id}/reactions/",
]


def _config(*, pin_ids: bool) -> schemathesis.Config:
    operations = [
        {"include-path": COMMENTS_OF_THE_ARTICLE, "parameters": {"path.slug": ARTICLE_SLUG}}
    ]
    if pin_ids:
        operations.append(
            {"include-path": PINNED_ID_PATHS, "parameters": {"path.id": str(PINNED_COMMENT_ID)}}
        )
    return schemathesis.Config.from_dict({"operations": operations})


# Read from the application itself at collection (the view needs no database).
schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, application, config=_config(pin_ids=True))
_RAW = copy.deepcopy(schema.raw_schema)

# --- the stateful phase: the schema with OpenAPI links ----------------------------------
# drf-spectacular writes no links, so the test adds them: what a client does with a comment
# it has just posted (its `id` and `edit_token`), and with one it has edited or withdrawn.
# schemathesis also infers links of its own (a list's slugs and ids to their detail pages).
_POSTED = {"path.id": "$response.body#/id"}
_POSTED_WITH_TOKEN = {**_POSTED, "header.X-Edit-Token": "$response.body#/edit_token"}
_SAME_COMMENT = {
    "path.id": "$request.path.id",
    "header.X-Edit-Token": "$request.header.X-Edit-Token",
}
_AFTER_POSTING = {
    "EditComment": ("v1_comments_partial_update", _POSTED_WITH_TOKEN),
    "WithdrawComment": ("v1_comments_destroy", _POSTED_WITH_TOKEN),
    "ListTheArticleComments": ("v1_articles_comments_list", {"path.slug": "$request.path.slug"}),
    "FlagComment": ("v1_comments_flag_create", _POSTED),
    "ReactToComment": ("v1_comments_reactions_create", _POSTED),
    "TakeBackReaction": ("v1_comments_reactions_destroy", _POSTED),
    "ReadAsStaff": ("v1_moderation_comments_retrieve", _POSTED),
    "ModerateAsStaff": ("v1_moderation_comments_partial_update", _POSTED),
    "FeatureAsStaff": ("v1_moderation_comments_feature_create", _POSTED),
}
LINKS = {
    ("/api/v1/articles/{slug}/comments/", "post", status): {
        **{name: {"operationId": op, "parameters": p} for name, (op, p) in _AFTER_POSTING.items()},
        "Reply": {
            "operationId": "v1_articles_comments_create",
            "parameters": {"path.slug": "$request.path.slug"},
            "requestBody": {"parent": "$response.body#/id"},
        },
    }
    for status in ("201", "202")
}
LINKS[("/api/v1/comments/{id}/", "patch", "200")] = {
    "WithdrawEditedComment": {"operationId": "v1_comments_destroy", "parameters": _SAME_COMMENT},
}
LINKS[("/api/v1/comments/{id}/", "delete", "204")] = {
    # After a withdrawal the comment is gone for its author: use_after_free checks the edit.
    "EditWithdrawnComment": {
        "operationId": "v1_comments_partial_update",
        "parameters": _SAME_COMMENT,
    },
    "FlagWithdrawnComment": {
        "operationId": "v1_comments_flag_create",
        "parameters": {"path.id": "$request.path.id"},
    },
}


def _with_links(raw: dict) -> dict:
    raw = copy.deepcopy(raw)
    for (path, method, status), links in LINKS.items():
        raw["paths"][path][method]["responses"][status]["links"] = links
    return raw


stateful_schema = schemathesis.openapi.from_dict(_with_links(_RAW), config=_config(pin_ids=False))
stateful_schema.app = application
stateful_schema.location = SCHEMA_PATH


# --- identities and seeded rows ---------------------------------------------------------


@dataclass
class Seeded:
    """Rows that exist in the current test's database, and who the current test calls as."""

    article_slugs: list[str] = field(default_factory=list)
    category_slugs: list[str] = field(default_factory=list)
    tag_slugs: list[str] = field(default_factory=list)
    comment_ids: list[int] = field(default_factory=list)
    # (comment id, edit token): a valid X-Edit-Token for that comment.
    edit_tokens: list[tuple[int, str]] = field(default_factory=list)
    unsubscribe_tokens: list[str] = field(default_factory=list)
    privacy_tokens: list[str] = field(default_factory=list)
    staff_token: str = ""
    identity: str = "anonymous"


SEEDED = Seeded()


class StaffToken:
    """The staff identity's credentials, DRF's `Authorization: Token <key>`, on every
    operation; the anonymous identity sends none of its own (schemathesis may still send a
    random token or session cookie, as any client may). Credentials given through this
    provider are what ignored_auth replays without and with broken credentials."""

    def get(self, case, context):
        return SEEDED.staff_token if SEEDED.identity == "staff" else None

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


for _schema in (schema, stateful_schema):
    # No caching: every test has its own database, and so its own token.
    _schema.auth(refresh_interval=None)(StaffToken)


def _sometimes(values: list):
    """Half of the draws leave the generated value, half take one of the seeded ones."""
    return st.one_of(st.none(), st.sampled_from(values)) if values else st.none()


def _slugs_for(path: str) -> list[str]:
    for prefix, slugs in (
        ("/api/v1/articles/", SEEDED.article_slugs),
        ("/api/v1/categories/", SEEDED.category_slugs),
        ("/api/v1/tags/", SEEDED.tag_slugs),
    ):
        if path.startswith(prefix):
            return slugs
    return []


_QUERY_TOKENS = {
    "/api/v1/comments/unsubscribe/": lambda: SEEDED.unsubscribe_tokens,
    "/api/v1/privacy/requests/confirm/": lambda: SEEDED.privacy_tokens,
}


@schema.hook
def flatmap_case(context, case):
    """Point a generated `slug` or `id` at a row that exists, and hand the token-guarded
    operations a valid token, half of the time. Hooks run while the test runs, so the
    rows are the current test's. A part the case made invalid on purpose stays as it is
    (replacing it would send a valid request that negative_data_rejection expects
    refused); the operations pinned by the config keep their fixed values."""
    path = context.operation.path

    def is_negative(location: ParameterLocation) -> bool:
        return case.meta is not None and case.meta.is_negative_at(location)

    draws = {}
    parameters = case.path_parameters if isinstance(case.path_parameters, dict) else None
    if parameters is not None and not is_negative(ParameterLocation.PATH):
        if path == "/api/v1/comments/{id}/" and not is_negative(ParameterLocation.HEADER):
            draws["edit"] = _sometimes(SEEDED.edit_tokens)
        elif "slug" in parameters and path != COMMENTS_OF_THE_ARTICLE:
            draws["slug"] = _sometimes(_slugs_for(path))
        elif "id" in parameters and path not in PINNED_ID_PATHS:
            draws["id"] = _sometimes([str(pk) for pk in SEEDED.comment_ids])
    if path in _QUERY_TOKENS and not is_negative(ParameterLocation.QUERY):
        draws["token"] = _sometimes(_QUERY_TOKENS[path]())
    if not draws:
        return st.just(case)

    def apply(drawn: dict):
        if drawn.get("edit"):
            pk, token = drawn["edit"]
            case.path_parameters = {**case.path_parameters, "id": str(pk)}
            case.headers = {**(case.headers or {}), "X-Edit-Token": token}
        for name in ("slug", "id"):
            if drawn.get(name):
                case.path_parameters = {**case.path_parameters, name: drawn[name]}
        if drawn.get("token"):
            case.query = {**(case.query or {}), "token": drawn["token"]}
        return case

    return st.fixed_dictionaries(draws).map(apply)


# --- known false positives and open findings ---------------------------------------------

FALSE_POSITIVE = "false positive"
OPEN_FINDING = "open finding"
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
FAILURE_OF = {
    "negative_data_rejection": AcceptedNegativeData,
    "positive_data_acceptance": RejectedPositiveData,
}


@dataclass(frozen=True)
class KnownFailure:
    """A failure of `check` on `operations` that is dropped where `applies` holds, and only
    there. `why` is its line in docs/security.md."""

    check: str
    operations: tuple[str, ...]
    verdict: str
    why: str
    applies: Callable


def _negative_only_at(case, location: ParameterLocation) -> bool:
    meta = case.meta
    if meta is None:
        return False
    negative = {loc for loc, component in meta.components.items() if component.mode.is_negative}
    return negative == {location}


def _negated_names(case, location: ParameterLocation) -> set[str | None]:
    """The parameters the case made invalid, as schemathesis recorded them (None: unknown)."""
    data = case.meta.phase.data
    names = {
        m.parameter for m in getattr(data, "mutations", ()) if m.parameter_location == location
    }
    if getattr(data, "parameter_location", None) == location:
        names.add(getattr(data, "parameter", None))
    return names or {None}


def _empty(case, name: str) -> bool:
    """The value is empty, or a list whose only invalid terms are empty (`ordering=,title`:
    empty terms are skipped, tests/security/test_schema_fuzz.py)."""
    value = (case.query or {}).get(name)
    if not isinstance(value, list):
        return value == ""
    operation = _RAW["paths"][case.operation.path][case.method.lower()]
    declared = [p for p in operation.get("parameters", []) if p.get("name") == name]
    enum = declared[0].get("schema", {}).get("items", {}).get("enum", []) if declared else []
    return "" in value and all(term == "" or term in enum for term in value)


def lenient_query(*names: str):
    """Only query parameters are invalid, and each is `page_size` (a value that is not a
    positive integer falls back to the default), one of `names`, or empty (an empty filter
    value means no filter)."""

    def applies(case, response) -> bool:
        if not _negative_only_at(case, ParameterLocation.QUERY):
            return False
        negated = _negated_names(case, ParameterLocation.QUERY)
        return None not in negated and all(
            name == "page_size" or name in names or _empty(case, name) for name in negated
        )

    return applies


def _body_is_valid(case, body) -> bool:
    # The same validator schemathesis's checks use (pinned version: 4.32.5).
    alternative = case.operation.get_body_for_media_type(case.media_type)
    if alternative is None:
        return False
    validator_cls = case.operation.schema.adapter.jsonschema_validator_cls
    return make_validator(alternative.optimized_schema, validator_cls).is_valid(body)


def numbers_as_text(case, response) -> bool:
    """Only the body is invalid, and it is valid once its numbers are read as text (DRF's
    CharField does that)."""
    if not _negative_only_at(case, ParameterLocation.BODY) or not isinstance(case.body, dict):
        return False
    as_text = {
        key: str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        for key, value in case.body.items()
    }
    return as_text != case.body and _body_is_valid(case, as_text)


def form_without_fields(case, response) -> bool:
    """A form body that is not an object reaches the server as a form without fields, which
    is a valid body where no field is required."""
    return (
        _negative_only_at(case, ParameterLocation.BODY)
        and case.media_type in FORMS
        and not isinstance(case.body, dict)
        and _body_is_valid(case, {})
    )


def _refused(response) -> dict:
    if response.status_code != 400:
        return {}
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def refuses(**messages: str):
    """A 400 naming only these fields, each with only messages that start as given."""

    def applies(case, response) -> bool:
        refused = _refused(response)
        return bool(refused) and all(
            name in messages
            and isinstance(texts, list)
            and all(str(text).startswith(messages[name]) for text in texts)
            for name, texts in refused.items()
        )

    return applies


def null_in_a_form(case, response) -> bool:
    """A 400 naming only fields sent as null in a form body: a form has no null, so the
    field goes as the text `null`."""
    refused = _refused(response)
    body = case.body if isinstance(case.body, dict) else {}
    return (
        case.media_type in FORMS
        and bool(refused)
        and all(name in body and body[name] is None for name in refused)
    )


def status_left_out(case, response) -> bool:
    body = case.body if isinstance(case.body, dict) else {}
    return "status" not in body and refuses(status="This field is required.")(case, response)


def too_many_form_fields(case, response) -> bool:
    body = case.body if isinstance(case.body, dict) else {}
    fields = sum(len(value) if isinstance(value, list) else 1 for value in body.values())
    return (
        case.media_type in FORMS
        and fields > settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        and response.status_code == 400
        and _refused(response) == {"detail": "Bad request."}
    )


LISTS = (
    "GET /api/v1/articles/",
    "GET /api/v1/articles/{slug}/comments/",
    "GET /api/v1/categories/",
    "GET /api/v1/tags/",
    "GET /api/v1/moderation/comments/",
    "GET /api/v1/moderation/actions/",
)
TOKEN_LINKS = (
    "GET /api/v1/comments/unsubscribe/",
    "POST /api/v1/comments/unsubscribe/",
    "GET /api/v1/privacy/requests/confirm/",
    "POST /api/v1/privacy/requests/confirm/",
    "GET /api/v1/commenters/confirmations/confirm/",
    "POST /api/v1/commenters/confirmations/confirm/",
)
WRITES_WITH_FORMS = (
    "POST /api/v1/articles/{slug}/comments/",
    "PATCH /api/v1/comments/{id}/",
    "POST /api/v1/comments/{id}/flag/",
    "POST /api/v1/commenters/confirmations/",
    "POST /api/v1/privacy/requests/",
    "PATCH /api/v1/moderation/comments/{id}/",
    "POST /api/v1/moderation/comments/bulk/",
)
NO_SUCH_ROW = "Select a valid choice."

KNOWN_FAILURES = (
    KnownFailure(
        "negative_data_rejection",
        LISTS,
        FALSE_POSITIVE,
        "a `page_size` that is not a positive integer falls back to the default (deliberate, "
        "tests/articles/test_bad_parameters.py); an empty filter value means no filter "
        "(django-filter's convention)",
        lenient_query(),
    ),
    KnownFailure(
        "negative_data_rejection",
        ("GET /api/v1/moderation/comments/",),
        OPEN_FINDING,
        "`featured` takes any value: `abc` is ignored (the whole queue is listed), `2` means "
        "true. A later fix (comments/api/staff/filters.py) must refuse values other than "
        "true/false with 400, as the module's docstring promises",
        lenient_query("featured"),
    ),
    KnownFailure(
        "negative_data_rejection",
        WRITES_WITH_FORMS,
        FALSE_POSITIVE,
        "a JSON number sent for a text field is stored as its text (DRF's CharField); nothing "
        "else about the body was invalid",
        numbers_as_text,
    ),
    KnownFailure(
        "negative_data_rejection",
        WRITES_WITH_FORMS,
        FALSE_POSITIVE,
        "a form body that is not an object arrives as a form without fields, a valid body "
        "where no field is required",
        form_without_fields,
    ),
    KnownFailure(
        "positive_data_acceptance",
        TOKEN_LINKS,
        FALSE_POSITIVE,
        "a schema-valid `token` is rarely a real signed, unexpired, unused link; the "
        "documented 400 names `token`. The hooks send valid tokens half of the time",
        refuses(token="This "),
    ),
    KnownFailure(
        "positive_data_acceptance",
        ("GET /api/v1/articles/",),
        FALSE_POSITIVE,
        "`author`, `category` and `tag` must name existing rows (documented 400)",
        refuses(author=NO_SUCH_ROW, category=NO_SUCH_ROW, tag=NO_SUCH_ROW),
    ),
    KnownFailure(
        "positive_data_acceptance",
        ("GET /api/v1/moderation/comments/",),
        FALSE_POSITIVE,
        "`article` must name an existing article (documented 400)",
        refuses(article="No article with this slug."),
    ),
    KnownFailure(
        "positive_data_acceptance",
        ("GET /api/v1/moderation/actions/",),
        FALSE_POSITIVE,
        "`article` and `actor` must name an existing article and user (documented 400)",
        refuses(article="No article with this slug.", actor="No user with this username."),
    ),
    KnownFailure(
        "positive_data_acceptance",
        ("POST /api/v1/articles/{slug}/comments/",),
        FALSE_POSITIVE,
        "`parent` must be an approved comment on the same article (documented 400)",
        refuses(parent="Reply to an approved comment on this article."),
    ),
    KnownFailure(
        "positive_data_acceptance",
        WRITES_WITH_FORMS,
        FALSE_POSITIVE,
        "a null in a form body (`parent`) is sent as the text `null`: forms have no null",
        null_in_a_form,
    ),
    KnownFailure(
        "positive_data_acceptance",
        ("POST /api/v1/articles/{slug}/comments/",),
        OPEN_FINDING,
        "the schema takes any URI as `author_url`, the server only http(s) URLs. A later fix "
        "(comments/api/public/serializers.py) must document it, e.g. `pattern: ^https?://`",
        refuses(author_url="Enter an http or https URL."),
    ),
    KnownFailure(
        "positive_data_acceptance",
        ("GET /api/v1/moderation/actions/",),
        OPEN_FINDING,
        "the schema puts no minimum on `comment`, the server refuses ids below 1. A later fix "
        "(comments/api/staff/) must document `minimum: 1`",
        refuses(comment="Ensure this value is greater than or equal to 1."),
    ),
    KnownFailure(
        "positive_data_acceptance",
        ("PATCH /api/v1/moderation/comments/{id}/",),
        OPEN_FINDING,
        "the schema marks every field optional (PatchedModerationStatusRequest), the server "
        "requires `status`. A later fix (comments/api/staff/) must document `status` as "
        "required",
        status_left_out,
    ),
    KnownFailure(
        "positive_data_acceptance",
        ("POST /api/v1/moderation/comments/bulk/",),
        OPEN_FINDING,
        "up to 500 `ids` are documented, but a form body of more than "
        "DATA_UPLOAD_MAX_NUMBER_FIELDS (100) fields is refused by Django before DRF sees it "
        "(400 `Bad request.`). A later fix must raise the limit (cms/settings.py) or "
        "document the forms' smaller maximum",
        too_many_form_fields,
    ),
)


def _is_known(failure, case, response) -> bool:
    label = case.operation.label
    return any(
        isinstance(failure, FAILURE_OF[known.check])
        and label in known.operations
        and known.applies(case, response)
        for known in KNOWN_FAILURES
    )


for _schema in (schema, stateful_schema):

    @_schema.hook
    def filter_failure(context, failure, case, response):
        """Drop the known false positives and open findings, and nothing else."""
        return not _is_known(failure, case, response)
