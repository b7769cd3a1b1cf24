"""Shared OpenAPI descriptions of the API's error answers."""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

DetailErrorSerializer = inline_serializer(
    name="DetailError", fields={"detail": serializers.CharField()}
)


class FieldErrorsSerializer(serializers.Serializer):
    """DRF's 400 body: one key per invalid field (documented by the extension below)."""


class FieldErrorsExtension(OpenApiSerializerExtension):
    """A 400 body's keys are the names of the invalid fields, so the schema is a map, not
    an object with a fixed property: `{"author_email": ["Enter a valid email address."]}`.
    A message is a list of strings, or an object for a list's items (`{"ids": {"0":
    [...]}}`); a body that cannot be parsed at all answers `{"detail": "..."}`."""

    target_class = FieldErrorsSerializer

    def get_name(self, auto_schema, direction):
        return "FieldErrors"

    def map_serializer(self, auto_schema, direction):
        messages = {"type": "array", "items": {"type": "string"}}
        return {
            "type": "object",
            "description": (
                "Invalid input: each key names a field (or non_field_errors) and holds its "
                "messages; `detail` alone when the request body could not be parsed."
            ),
            "properties": {"detail": {"type": "string"}, "non_field_errors": messages},
            "additionalProperties": {"anyOf": [messages, {"type": "object"}]},
        }


ERROR_400 = OpenApiResponse(FieldErrorsSerializer, description="Invalid input, by field.")
ERROR_401 = OpenApiResponse(DetailErrorSerializer, description="Authentication required.")
ERROR_403 = OpenApiResponse(DetailErrorSerializer, description="Forbidden.")
ERROR_404 = OpenApiResponse(DetailErrorSerializer, description="Not found.")
ERROR_409 = OpenApiResponse(DetailErrorSerializer, description="Conflict.")
ERROR_413 = OpenApiResponse(DetailErrorSerializer, description="Request body too large.")
ERROR_415 = OpenApiResponse(
    DetailErrorSerializer,
    description="Unsupported Content-Type: send application/json or a form encoding.",
)
ERROR_429 = OpenApiResponse(
    DetailErrorSerializer, description="Too many requests (see Retry-After)."
)


_NUL_400 = {
    "description": "Bad request: the path or query string holds a NUL character.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DetailError"}}},
}


def document_bad_request_everywhere(result, generator, request, public):
    """A drf-spectacular postprocessing hook: every operation can answer 400, since a
    NUL in the path or query is refused before any view runs (plumbing/nul_bytes.py).
    Operations that document their own 400 keep it."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("400", _NUL_400)
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "DetailError",
        {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
    )
    return result


def input_defaults_as_words(result, generator, request, public):
    """A drf-spectacular postprocessing hook: an input field's default is the server's
    business, so request bodies say it in words, not as `default`. openapi-typescript
    (and others) type a property that has a default as always present, which made
    optional inputs such as `notify_replies` required in generated clients."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        for prop in schema.get("properties", {}).values():
            if "default" in prop:
                default = prop.pop("default")
                shown = {True: "true", False: "false", None: "null"}.get(default, repr(default))
                words = f"Default: {shown}."
                prop["description"] = (
                    f"{prop['description']} {words}" if prop.get("description") else words
                )
    return result


# Tags by audience, from the path (the first rule whose fragment the path holds): what a
# frontend may call without credentials, and what needs a staff account.
AUDIENCE_TAGS = (
    ("/wp-json/", "public: WordPress-compatible"),
    ("/api/v1/moderation/", "staff: moderation"),
    ("/api/v1/desk/", "staff: newsroom desk"),
    ("/comments/", "public: comments"),
    ("/commenters/", "public: comments"),
    ("/api/v1/privacy/", "public: privacy requests"),
    ("/api/v1/", "public: articles"),
)
TAG_DESCRIPTIONS = {
    "public: articles": "Articles, categories, tags and authors: no credentials, cached.",
    "public: comments": (
        "Readers' comments: reading, posting, editing with the edit token, reporting, "
        "reacting, confirming an address. No credentials; a signed-in session is honoured "
        "(its name and email are used)."
    ),
    "public: privacy requests": "A reader's export or erasure, confirmed by email.",
    "public: WordPress-compatible": (
        "WordPress's REST API (wp/v2) over the same articles and comments, for frontends "
        "written for WordPress: its shapes, parameters, headers and error codes "
        "(docs/wordpress.md)."
    ),
    "staff: moderation": "The moderation queue and audit trail: a staff account.",
    "staff: newsroom desk": "Editors' tools for frontends (preview tokens): a staff account.",
}


def tags_by_audience(result, generator, request, public):
    """A drf-spectacular postprocessing hook: each operation is tagged public or staff
    (drf-spectacular tagged them all `v1`), and public operations carry no security
    requirement: credentials are optional there, and generators and Swagger UI showed a
    padlock (or asked for a key) on every one of them."""
    used = []
    for path, path_item in result.get("paths", {}).items():
        tag = next(name for fragment, name in AUDIENCE_TAGS if fragment in path)
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            operation["tags"] = [tag]
            if tag.startswith("public"):
                operation.pop("security", None)
            if tag not in used:
                used.append(tag)
    order = [name for name in TAG_DESCRIPTIONS if name in used]
    result["tags"] = [{"name": name, "description": TAG_DESCRIPTIONS[name]} for name in order]
    return result


# Where the examples of paginated answers point: a server as `make run` serves it.
EXAMPLE_SERVER = "http://127.0.0.1:8000"


def pagination_examples(result, generator, request, public):
    """A drf-spectacular postprocessing hook: the `next`/`previous` examples of each
    paginated answer are URLs of its own list (DRF's paginators give every list the same
    `http://api.example.org/accounts/?page=4`)."""
    schemas = result.get("components", {}).get("schemas", {})
    for path, path_item in result.get("paths", {}).items():
        answer = path_item.get("get", {}).get("responses", {}).get("200", {})
        reference = answer.get("content", {}).get("application/json", {}).get("schema", {})
        name = reference.get("$ref", "").rpartition("/")[2]
        if not name.startswith("Paginated") or name not in schemas:
            continue
        properties = schemas[name]["properties"]
        url = EXAMPLE_SERVER + path.replace("{slug}", "leica-and-panasonic")
        if "count" in properties:  # page numbers
            properties["count"]["example"] = 42
            properties["next"]["example"] = f"{url}?page=3"
            properties["previous"]["example"] = f"{url}?page=1"
        else:  # a keyset cursor (comments.api.pagination): opaque, followed as given
            properties["next"]["example"] = f"{url}?cursor=cD0yMDI2LTExLTI2KzA5JTNBMzAmaT00Mg%3D%3D"
            properties["previous"]["example"] = f"{url}?cursor=cj0xJnA9MjAyNi0xMS0yNg%3D%3D"
    return result
