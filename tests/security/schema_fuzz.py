"""What tests/security/test_schema_fuzz.py drives schemathesis with: the schema (read from
the application, once as it is and once with the links of the stateful phase), the two
identities, the hooks that point generated requests at seeded rows, and the failures known
to be false positives or open findings (docs/security.md, "Schema fuzzing: known false
positives and open findings"), each dropped only where its predicate says so."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.jsonschema import make_validator
from schemathesis.core.parameters import ParameterLocation
from schemathesis.openapi.checks import (
    JsonSchemaError,
    RejectedPositiveData,
    UndefinedStatusCode,
)
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
from schemathesis.specs.openapi.converter import to_json_schema

from cms.wsgi import application

SCHEMA_PATH = "/api/schema/"
STAFF_PREFIX = ("/api/v1/moderation/", "/api/v1/desk/")
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


CONFIG = schemathesis.Config.from_dict(
    {
        "operations": [
            {"include-path": COMMENTS_OF_THE_ARTICLE, "parameters": {"path.slug": ARTICLE_SLUG}},
            {"include-path": PINNED_ID_PATHS, "parameters": {"path.id": str(PINNED_COMMENT_ID)}},
        ]
    }
)

# Read from the application itself at collection (the view needs no database).
schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, application, config=CONFIG)
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
    "EditComment": ("comments_partial_update", _POSTED_WITH_TOKEN),
    "WithdrawComment": ("comments_destroy", _POSTED_WITH_TOKEN),
    "ListTheArticleComments": ("articles_comments_list", {"path.slug": "$request.path.slug"}),
    "FlagComment": ("comments_flag_create", _POSTED),
    "ReactToComment": ("comments_reactions_create", _POSTED),
    "TakeBackReaction": ("comments_reactions_destroy", _POSTED),
    "ReadAsStaff": ("moderation_comments_retrieve", _POSTED),
    "ModerateAsStaff": ("moderation_comments_partial_update", _POSTED),
    "FeatureAsStaff": ("moderation_comments_feature_create", _POSTED),
}
LINKS = {
    ("/api/v1/articles/{slug}/comments/", "post", status): {
        **{name: {"operationId": op, "parameters": p} for name, (op, p) in _AFTER_POSTING.items()},
        "Reply": {
            "operationId": "articles_comments_create",
            "parameters": {"path.slug": "$request.path.slug"},
            "requestBody": {"parent": "$response.body#/id"},
        },
    }
    for status in ("201", "202")
}
LINKS[("/api/v1/comments/{id}/", "patch", "200")] = {
    "WithdrawEditedComment": {"operationId": "comments_destroy", "parameters": _SAME_COMMENT},
}
LINKS[("/api/v1/comments/{id}/", "delete", "204")] = {
    # After a withdrawal the comment is gone for its author: use_after_free checks the edit.
    "EditWithdrawnComment": {
        "operationId": "comments_partial_update",
        "parameters": _SAME_COMMENT,
    },
    "FlagWithdrawnComment": {
        "operationId": "comments_flag_create",
        "parameters": {"path.id": "$request.path.id"},
    },
}


def _with_links(raw: dict) -> dict:
    raw = copy.deepcopy(raw)
    for (path, method, status), links in LINKS.items():
        raw["paths"][path][method]["responses"][status]["links"] = links
    return raw


# The workflows are those of comments, and the article list they start from (which makes
# posting a comment a scenario's first step); the inferred links of categories and tags
# lead from a list to a detail page, which the stateless test covers.
stateful_schema = schemathesis.openapi.from_dict(
    _with_links(_RAW), config=schemathesis.Config.from_dict({})
).include(path_regex="^/api/v1/articles/$|comments")
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
        ("/api/v1/desk/articles/", SEEDED.article_slugs),
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


@stateful_schema.hook
def map_case(context, case):
    """The state machine takes no parameter values from the config: a generated article
    slug becomes the visible article's, so that a scenario can start by posting a
    comment (a slug from a link, a real one, stays)."""
    negative = case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)
    parameters = case.path_parameters
    if (
        context.operation.path == COMMENTS_OF_THE_ARTICLE
        and not negative
        and isinstance(parameters, dict)
        and parameters.get("slug") not in SEEDED.article_slugs
    ):
        case.path_parameters = {**parameters, "slug": ARTICLE_SLUG}
    return case


# --- known false positives and open findings ---------------------------------------------

FALSE_POSITIVE = "false positive"
OPEN_FINDING = "open finding"
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL_DETAIL = "The request's path or query string contains a NUL character."
FAILURE_OF = {
    "status_code_conformance": UndefinedStatusCode,
    "negative_data_rejection": AcceptedNegativeData,
    "positive_data_acceptance": RejectedPositiveData,
    "response_schema_conformance": JsonSchemaError,
}


@dataclass(frozen=True)
class KnownFailure:
    """A failure of `check` on `operations` that is dropped where it is known, and only
    there: where `applies(case, response)` holds, or, for a 400 naming fields, where each
    message is explained by `explains(case, field, message)` of this or another entry (so
    that two known refusals in one answer stay known). `why` is its line in
    docs/security.md."""

    check: str
    operations: tuple[str, ...]
    verdict: str
    why: str
    applies: Callable | None = None
    explains: Callable | None = None


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
    if getattr(data, "parameter_location", None) == location and data.parameter is not None:
        names.add(data.parameter)
    return names or {None}


def _sent_empty(case, response, name: str) -> bool:
    """Nothing but empty terms of `name` reached the server: `published_after=` (of a
    repeated parameter the server reads the last value), or `ordering=,title` (an array's
    terms are each empty or valid; empty terms are skipped)."""
    sent = parse_qs(urlsplit(response.request.url).query, keep_blank_values=True).get(name)
    if sent is None:
        return True
    operation = _RAW["paths"][case.operation.path][case.method.lower()]
    declared = [p for p in operation.get("parameters", []) if p.get("name") == name]
    schema_ = declared[0].get("schema", {}) if declared else {}
    if schema_.get("type") != "array":
        return sent[-1] == ""
    enum = schema_.get("items", {}).get("enum", [])
    terms = [term for value in sent for term in value.split(",")]
    return "" in terms and all(term == "" or term in enum for term in terms)


def empty_means_default(*names: str):
    """Only query parameters are invalid, and each is one of `names`, sent empty (an
    empty `sort` means the default order)."""

    def applies(case, response) -> bool:
        if not _negative_only_at(case, ParameterLocation.QUERY):
            return False
        negated = _negated_names(case, ParameterLocation.QUERY)
        return None not in negated and all(
            name in names and _sent_empty(case, response, name) for name in negated
        )

    return applies


def _body_validator(case):
    # The same validator schemathesis's checks use (pinned version: 4.32.5).
    alternative = case.operation.get_body_for_media_type(case.media_type)
    if alternative is None:
        return None
    validator_cls = case.operation.schema.adapter.jsonschema_validator_cls
    return make_validator(alternative.optimized_schema, validator_cls)


def _body_is_valid(case, body) -> bool:
    validator = _body_validator(case)
    return validator is not None and validator.is_valid(body)


def _form_as_sent(case) -> dict:
    """What of a form body schemathesis's WSGI transport (werkzeug) sends: nothing of a body
    that is not an object, no field without values, and in a urlencoded body no object
    (its report still shows them, an object as its keys)."""
    urlencoded = case.media_type == FORMS[0]
    sent = {}
    for key, value in (case.body if isinstance(case.body, dict) else {}).items():
        if isinstance(value, list):
            value = [item for item in value if not (urlencoded and isinstance(item, dict))]
            if not value:
                continue
        elif urlencoded and isinstance(value, dict):
            continue
        sent[key] = value
    return sent


def _as_text(value):
    if isinstance(value, list):
        return [_as_text(item) for item in value]
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return value if isinstance(value, str) else str(value)


def _readings(value, *, form: bool) -> list:
    """How DRF may read a field: as sent; a form field as text (`false` is a valid string),
    and an empty one as null; a JSON number for a text field as its text; and text with
    its surrounding whitespace trimmed (Python's whitespace, U+001C to U+001F included)."""
    readings = [value]
    if form:
        readings.append(_as_text(value))
        if value == "":
            readings.append(None)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        readings.append(str(value))
    return readings + [reading.strip() for reading in readings if isinstance(reading, str)]


def read_as_drf_does(case, response) -> bool:
    """Only the body is invalid, and the body as the server read it is valid."""
    form = case.media_type in FORMS
    if not _negative_only_at(case, ParameterLocation.BODY):
        return False
    if not form and not isinstance(case.body, dict):
        return False
    validator = _body_validator(case)
    if validator is None:
        return False
    sent = _form_as_sent(case) if form else dict(case.body)
    for name, value in sent.items():
        for reading in _readings(value, form=form):
            errors = validator.iter_errors({**sent, name: reading})
            if not any(error.instance_path[:1] == [name] for error in errors):
                sent[name] = reading
                break
    return validator.is_valid(sent)


def _refused(response) -> dict:
    if response.status_code != 400:
        return {}
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def refuses(**messages: str | tuple[str, ...]):
    """Explains a message about one of these fields that starts as given (or as one of)."""

    def explains(case, name: str, text) -> bool:
        return name in messages and str(text).startswith(messages[name])

    return explains


def null_in_a_form(case, name: str, text) -> bool:
    """Explains a field sent as null in a form body: a form has no null, the field goes as
    the text `null`."""
    body = case.body if isinstance(case.body, dict) else {}
    return case.media_type in FORMS and name in body and body[name] is None


def blank_once_trimmed(case, name: str, text) -> bool:
    """Explains a text field sent as whitespace only: DRF trims it, and it is blank."""
    value = case.body.get(name) if isinstance(case.body, dict) else None
    return isinstance(value, str) and not value.strip() and text == "This field may not be blank."


def nul_refused(case, response) -> bool:
    return _refused(response) == {"detail": NUL_DETAIL}


def nul_in_a_field(case, name: str, text) -> bool:
    return text == "Null characters are not allowed."


# --- the WordPress-compatible routes (wordpress_api): WordPress's own refusals ----------

WORDPRESS_OPERATIONS = (
    "GET /wp-json/wp/v2/posts",
    "GET /wp-json/wp/v2/posts/{id}",
    "GET /wp-json/wp/v2/categories",
    "GET /wp-json/wp/v2/categories/{id}",
    "GET /wp-json/wp/v2/tags",
    "GET /wp-json/wp/v2/tags/{id}",
    "GET /wp-json/wp/v2/users",
    "GET /wp-json/wp/v2/users/{id}",
    "GET /wp-json/wp/v2/media",
    "GET /wp-json/wp/v2/media/{id}",
    "GET /wp-json/wp/v2/comments",
    "POST /wp-json/wp/v2/comments",
    "GET /wp-json/wp/v2/comments/{id}",
)
# WordPress's codes for schema-valid requests it refuses all the same (400).
WORDPRESS_REFUSALS = frozenset(
    {
        "rest_post_invalid_page_number",  # a page past the last
        "rest_comment_invalid_page_number",
        "rest_no_search_term_defined",  # orderby=relevance without search
        "rest_orderby_include_missing_include",  # orderby=include without include
        "rest_comment_author_data_required",  # a name or email of whitespace only
        "rest_comment_content_invalid",  # content of whitespace only
        "rest_comment_invalid_parent",  # not an approved comment on the post
        "comment_flood",
        "comment_content_column_length",  # longer than the policy's limit
        "rest_invalid_param",  # only as wordpress_refusal() says
    }
)
# Fields whose validators say more than a schema can (an address's and a URL's shape,
# a display name's visible characters): their rest_invalid_param is a refusal.
VALIDATED_BEYOND_SCHEMA = frozenset({"author_email", "author_url", "author_name"})


def wordpress_refusal(case, response) -> bool:
    """WordPress's answer to a request its schema admits but its rules refuse: a 400 with
    one of WORDPRESS_REFUSALS (rest_invalid_param only for a NUL character or for the
    fields validated beyond their schema)."""
    if response.status_code != 400:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    if not isinstance(body, dict) or body.get("code") not in WORDPRESS_REFUSALS:
        return False
    if body["code"] != "rest_invalid_param":
        return True
    if body.get("message") == NUL_DETAIL:
        return True
    given = body.get("data", {}).get("params") or {}
    return bool(given) and set(given) <= VALIDATED_BEYOND_SCHEMA


def wordpress_fields_narrowed(case, response) -> bool:
    """`_fields=` keeps only the named fields (none, when it names none we have), as
    WordPress's rest_filter_response_fields does: the answer holds no other field."""
    asked = (case.query or {}).get("_fields")
    if response.status_code != 200 or not isinstance(asked, str):
        return False
    names = {name.strip().partition(".")[0] for name in asked.split(",")}
    try:
        body = response.json()
    except ValueError:
        return False
    items = body if isinstance(body, list) else [body]
    return all(isinstance(item, dict) and set(item) <= names for item in items)


# The answers `fields=` and `omit=` narrow (articles/api/shaping.py), and their components.
SHAPED = {"GET /api/v1/articles/": "ArticleList", "GET /api/v1/articles/{slug}/": "ArticleDetail"}


def narrowed_as_asked(case, response) -> bool:
    """`fields` or `omit` asked for fewer fields, each answered item holds exactly those
    left, and the answer is valid against the documented schema once only those are
    required (every other rule of the schema still applies)."""
    query = parse_qs(urlsplit(response.request.url).query, keep_blank_values=True)
    if "fields" not in query and "omit" not in query:
        return False

    def named(parameter: str) -> set[str]:
        return {term for value in query.get(parameter, []) for term in value.split(",")}

    component = SHAPED[case.operation.label]
    schemas = copy.deepcopy(_RAW["components"]["schemas"])
    kept = {
        name
        for name in schemas[component]["properties"]
        if ("fields" not in query or name in named("fields")) and name not in named("omit")
    }
    # An optional field (a search's `search_snippet`) is there or not, as documented.
    optional = set(schemas[component]["properties"]) - set(schemas[component]["required"])
    body = response.json()
    items = body.get("results", []) if "results" in body else [body]
    if any(set(item) - optional != kept - optional for item in items):
        return False
    schemas[component]["required"] = sorted(kept & set(schemas[component]["required"]))
    converted = {
        name: to_json_schema(definition, nullable_keyword="nullable", is_response_schema=True)
        for name, definition in schemas.items()
    }
    operation = _RAW["paths"][case.operation.path][case.method.lower()]
    documented = operation["responses"]["200"]["content"]["application/json"]["schema"]
    validator_cls = case.operation.schema.adapter.jsonschema_validator_cls
    validator = make_validator({**documented, "components": {"schemas": converted}}, validator_cls)
    return validator.is_valid(body)


EVERY_OPERATION = ("every operation",)
LISTS = (
    "GET /api/v1/articles/",
    "GET /api/v1/articles/{slug}/comments/",
    "GET /api/v1/categories/",
    "GET /api/v1/tags/",
    "GET /api/v1/authors/",
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
BODIES = (
    "POST /api/v1/articles/{slug}/comments/",
    "PATCH /api/v1/comments/{id}/",
    "POST /api/v1/comments/{id}/flag/",
    "POST /api/v1/commenters/confirmations/",
    "POST /api/v1/privacy/requests/",
    "PATCH /api/v1/moderation/comments/{id}/",
    "POST /api/v1/moderation/comments/bulk/",
)
NO_SUCH_ROW = "Select a valid choice."
NEGATIVE, POSITIVE = "negative_data_rejection", "positive_data_acceptance"
RESPONSE = "response_schema_conformance"
FP, OPEN = FALSE_POSITIVE, OPEN_FINDING

# fmt: off
KNOWN_FAILURES = (
    KnownFailure(NEGATIVE, ("GET /api/v1/articles/{slug}/comments/",), FP,
        "an empty `sort` means the default order (tests/comments/test_comment_sort.py)",
        applies=empty_means_default("sort")),
    KnownFailure(RESPONSE, tuple(SHAPED), FP,
        "`fields=` and `omit=` answer fewer fields than the schema's `required` lists (it "
        "describes a full answer, so that generated clients type one as complete); the "
        "answer is checked against the schema with only the fields asked for required "
        "(and a search's optional `search_snippet` there or not)",
        applies=narrowed_as_asked),
    KnownFailure(NEGATIVE, BODIES, FP,
        "the body as DRF reads it is valid: a JSON number for a text field is its text, "
        "surrounding whitespace is trimmed before lengths are checked (Python's whitespace, "
        "U+001C to U+001F included), a form field is text (`false` is a valid string) and an "
        "empty one of a nullable field is null; and schemathesis's WSGI transport drops what "
        "a form cannot hold (a body that is not an object, a field without values, objects in "
        "a urlencoded body) yet reports it as sent",
        applies=read_as_drf_does),
    KnownFailure(POSITIVE, EVERY_OPERATION, FP,
        "a NUL character is refused in the path and query (plumbing/nul_bytes.py: "
        "PostgreSQL text cannot hold one) and in body fields (DRF), with 400",
        applies=nul_refused, explains=nul_in_a_field),
    KnownFailure(POSITIVE, TOKEN_LINKS, FP,
        "a schema-valid `token` is rarely a real signed, unexpired, unused link; the "
        "documented 400 names `token`. The hooks send valid tokens half of the time",
        explains=refuses(token="This ")),
    KnownFailure(POSITIVE, ("GET /api/v1/articles/",), FP,
        "`author`, `category` and `tag` must name existing rows, and `ordering=relevance` "
        "needs a `search` (documented 400s)",
        explains=refuses(author=NO_SUCH_ROW, category=NO_SUCH_ROW, tag=NO_SUCH_ROW,
                         ordering="Order by relevance with a `search` only.")),
    KnownFailure(POSITIVE, ("GET /api/v1/moderation/comments/",), FP,
        "`article` must name an existing article (documented 400)",
        explains=refuses(article="No article with this slug.")),
    KnownFailure(POSITIVE, ("GET /api/v1/moderation/actions/",), FP,
        "`article` and `actor` must name an existing article and user (documented 400)",
        explains=refuses(article="No article with this slug.", actor="No user with this username.")),
    KnownFailure(POSITIVE, ("POST /api/v1/articles/{slug}/comments/",), FP,
        "`parent` must be an approved comment on the same article (documented 400)",
        explains=refuses(parent="Reply to an approved comment on this article.")),
    KnownFailure(POSITIVE, ("POST /api/v1/articles/{slug}/comments/",), FP,
        "an `author_name` of invisible characters only, or with text-direction controls, is "
        "refused (comments/display_names.py): a JSON Schema pattern cannot say it portably",
        explains=refuses(author_name=(
            "Enter a name with at least one visible character.",
            "Names may not contain text-direction control characters.",
        ))),
    KnownFailure(POSITIVE, BODIES, FP,
        "a null in a form body (`parent`) is sent as the text `null`: forms have no null",
        explains=null_in_a_form),
    KnownFailure(POSITIVE, ("POST /api/v1/articles/{slug}/comments/",), FP,
        "`author_url` is documented as an http(s) URL (format uri, pattern `^(https?://.+)?$`); "
        "Django's URL validator is stricter than a pattern can say (a real host name, a valid "
        "port), so some pattern-valid strings are refused with the documented 400",
        explains=refuses(author_url="Enter an http or https URL.")),
    KnownFailure(POSITIVE, ("POST /api/v1/moderation/comments/{id}/feature/",), FP,
        "only an approved comment can be featured (documented 400; the stateful phase "
        "features the comments it has just posted or moderated)",
        explains=refuses(featured="Only an approved comment can be featured.")),
    KnownFailure(POSITIVE, BODIES, FP,
        "a text field of whitespace only is blank once DRF trims it (400 `may not be blank`)",
        explains=blank_once_trimmed),
    KnownFailure(POSITIVE, WORDPRESS_OPERATIONS, FP,
        "WordPress refuses some schema-valid requests, and so do we with its codes: a page "
        "past the last, `orderby=relevance` without `search`, `orderby=include` without "
        "`include`, a name, email or content of whitespace only, a `parent` that is not an "
        "approved comment on the post, a flood, content over the policy's length, a NUL "
        "character, and an address, URL or name its validator refuses",
        applies=wordpress_refusal),
    KnownFailure(RESPONSE, WORDPRESS_OPERATIONS, FP,
        "`_fields=` keeps only the fields it names, as WordPress does (none, if it names "
        "none we have): the answer is checked to hold no other field",
        applies=wordpress_fields_narrowed),
)
# fmt: on


def _is_known(failure, case, response) -> bool:
    label = case.operation.label
    entries = [
        known
        for known in KNOWN_FAILURES
        if isinstance(failure, FAILURE_OF[known.check])
        and (label in known.operations or known.operations == EVERY_OPERATION)
    ]
    if any(known.applies is not None and known.applies(case, response) for known in entries):
        return True
    refused = _refused(response)
    return bool(refused) and all(
        isinstance(texts, list)
        and all(
            any(
                known.explains is not None and known.explains(case, name, text) for known in entries
            )
            for text in texts
        )
        for name, texts in refused.items()
    )


for _schema in (schema, stateful_schema):

    @_schema.hook
    def filter_failure(context, failure, case, response):
        """Drop the known false positives and open findings, and nothing else."""
        return not _is_known(failure, case, response)
