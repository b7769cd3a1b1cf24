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
