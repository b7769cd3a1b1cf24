"""The WordPress routes in our OpenAPI schema (tag `public: WordPress-compatible`):
their parameters from the views' own declarations (params.Param), their answers as
components named Wp* (added by the `wordpress_components` hook), written from the
shapes.py functions and WordPress's own schemas (the wp-json-schemas package's rest-api
schemas, which tests/clients validates our answers against)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from wordpress_api import params

_TYPES = {
    "integer": {"type": "integer"},
    "ids": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": params.MAX_ID}},
    "string": {"type": "string"},
    "strings": {"type": "array", "items": {"type": "string"}},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date-time"},
}


def _parameter(param: params.Param) -> OpenApiParameter:
    if param.kind in ("enum", "enums"):
        schema: dict = {"type": "string", "enum": list(param.choices)}
        if param.kind == "enums":
            schema = {"type": "array", "items": schema}
    else:
        schema = dict(_TYPES[param.kind])
    if param.kind == "integer":
        if param.minimum is not None:
            schema["minimum"] = param.minimum
        schema["maximum"] = param.maximum if param.maximum is not None else params.MAX_ID
    if param.default not in (None, []):
        schema["default"] = param.default
    listed = schema["type"] == "array"
    return OpenApiParameter(
        param.name,
        schema,  # a raw schema
        location=OpenApiParameter.QUERY,
        description=param.description,
        style="form" if listed else None,
        explode=False if listed else None,
    )


def parameters(declared: tuple[params.Param, ...]) -> list[OpenApiParameter]:
    return [_parameter(param) for param in declared]


SHAPING = (
    OpenApiParameter(
        "_fields",
        str,
        description="Only these fields (comma-separated; `title.rendered` reaches inside).",
    ),
    OpenApiParameter(
        "_embed",
        str,
        description="Embed linked objects (`author`, `wp:term`, `replies`, `wp:featuredmedia`; empty: all).",
    ),
)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


ERROR = OpenApiResponse(_ref("WpError"), description="WordPress's error shape.")
COLLECTION_HEADERS = {
    "X-WP-Total": {"schema": {"type": "string"}, "description": "Items in the collection."},
    "X-WP-TotalPages": {"schema": {"type": "string"}, "description": "Pages at this per_page."},
}


def collection(
    component: str, declared: tuple[params.Param, ...], summary: str, *, operation_id: str
):
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        parameters=[*parameters(declared), *SHAPING],
        responses={200: {"type": "array", "items": _ref(component)}, 400: ERROR, 401: ERROR},
    )


def item(component: str, summary: str, *, operation_id: str):
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        parameters=[*SHAPING],
        responses={200: _ref(component), 400: ERROR, 404: ERROR},
    )


_RENDERED = {
    "type": "object",
    "properties": {"rendered": {"type": "string"}},
    "required": ["rendered"],
}
_PROTECTED = {
    "type": "object",
    "properties": {"rendered": {"type": "string"}, "protected": {"type": "boolean"}},
    "required": ["rendered", "protected"],
}
_DATE = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$"}
_LINKS = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "object"}}}
_IDS = {"type": "array", "items": {"type": "integer"}}
# OpenAPI 3.0 requires an array's `items`: without them openapi-python-client dropped
# WpPost and WpTerm, and with them every WordPress route's answer, from its client.
_EMPTY = {
    "type": "array",
    "items": {"type": "object"},
    "maxItems": 0,
    "description": "Always empty (no meta fields).",
}


# What every post type has (wp-json-schemas' partials/post/common.json).
_POST_COMMON = {
    "id": {"type": "integer"},
    "date": _DATE,
    "date_gmt": _DATE,
    "guid": _RENDERED,
    "modified": _DATE,
    "modified_gmt": _DATE,
    "slug": {"type": "string"},
}


def _object(properties: dict, optional: tuple[str, ...] = ()) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }


COMPONENTS = {
    "WpError": _object(
        {
            "code": {"type": "string", "example": "rest_post_invalid_id"},
            "message": {"type": "string"},
            "data": {
                "type": "object",
                "properties": {
                    "status": {"type": "integer"},
                    "params": {"type": "object", "additionalProperties": {"type": "string"}},
                    "details": {"type": "object"},
                    "retry_after": {"type": "integer", "nullable": True},
                },
                "required": ["status"],
            },
        }
    ),
    "WpPost": _object(
        {
            **_POST_COMMON,
            "status": {"type": "string", "enum": ["publish"]},
            "type": {"type": "string", "enum": ["post"]},
            "link": {"type": "string", "format": "uri"},
            "title": _RENDERED,
            "content": _PROTECTED,
            "excerpt": _PROTECTED,
            "author": {"type": "integer", "description": "A user id; 0: no byline."},
            "featured_media": {"type": "integer", "description": "A media id; 0: none."},
            "comment_status": {"type": "string", "enum": ["open", "closed"]},
            "ping_status": {"type": "string", "enum": ["closed"]},
            "sticky": {"type": "boolean"},
            "template": {"type": "string"},
            "format": {"type": "string", "enum": ["standard"]},
            "meta": _EMPTY,
            "categories": _IDS,
            "tags": _IDS,
            "class_list": {"type": "array", "items": {"type": "string"}},
            "_links": _LINKS,
            "_embedded": {"type": "object", "description": "With `_embed`."},
        },
        optional=("_embedded",),
    ),
    "WpTerm": _object(
        {
            "id": {"type": "integer"},
            "count": {"type": "integer", "minimum": 0},
            "description": {"type": "string"},
            "link": {"type": "string", "format": "uri"},
            "name": {"type": "string"},
            "slug": {"type": "string"},
            "taxonomy": {"type": "string", "enum": ["category", "post_tag"]},
            "parent": {"type": "integer", "description": "Categories only; 0: a root."},
            "meta": _EMPTY,
            "_links": _LINKS,
        },
        optional=("parent",),
    ),
    "WpUser": _object(
        {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "url": {"type": "string"},
            "description": {"type": "string"},
            "link": {"type": "string", "format": "uri"},
            "slug": {"type": "string"},
            "meta": _EMPTY,
            "_links": _LINKS,
        }
    ),
    "WpComment": _object(
        {
            "id": {"type": "integer"},
            "post": {"type": "integer"},
            "parent": {"type": "integer"},
            "author": {"type": "integer", "enum": [0]},
            "author_name": {"type": "string"},
            "author_url": {"type": "string"},
            "date": _DATE,
            "date_gmt": _DATE,
            "content": _RENDERED,
            "link": {"type": "string", "format": "uri"},
            "status": {"type": "string", "enum": ["approved", "hold"]},
            "type": {"type": "string", "enum": ["comment"]},
            "meta": _EMPTY,
            "_links": _LINKS,
            "_embedded": {"type": "object", "description": "With `_embed`."},
        },
        optional=("_embedded",),
    ),
    "WpCommentCreate": _object(
        {
            "post": {"type": "integer", "minimum": 1, "maximum": params.MAX_ID},
            "author_name": {"type": "string", "minLength": 1, "maxLength": 100},
            "author_email": {
                "type": "string",
                "format": "email",
                "description": "Required, never published.",
            },
            "author_url": {"type": "string", "maxLength": 200},
            "content": {"type": "string", "minLength": 1},
            "parent": {"type": "integer", "minimum": 0, "maximum": params.MAX_ID, "nullable": True},
            # Read by the route as our own comment POST reads it (a string, or refused).
            settings.COMMENTS_HONEYPOT_FIELD: {
                "type": "string",
                "description": "Leave empty. A hidden form field: bots fill it in, people do not.",
            },
        },
        optional=("author_url", "parent", settings.COMMENTS_HONEYPOT_FIELD),
    ),
    "WpMedia": _object(
        {
            **_POST_COMMON,
            "status": {"type": "string", "enum": ["inherit"]},
            "type": {"type": "string", "enum": ["attachment"]},
            "link": {"type": "string"},
            "title": _RENDERED,
            "author": {"type": "integer"},
            "featured_media": {"type": "integer"},
            "comment_status": {"type": "string"},
            "ping_status": {"type": "string"},
            "template": {"type": "string"},
            "meta": _EMPTY,
            "class_list": {"type": "array", "items": {"type": "string"}},
            "description": _RENDERED,
            "caption": _RENDERED,
            "alt_text": {"type": "string"},
            "media_type": {"type": "string", "enum": ["image"]},
            "mime_type": {"type": "string"},
            "media_details": {"type": "object"},
            "post": {"type": "integer", "nullable": True},
            "source_url": {"type": "string"},
            "_links": _LINKS,
        }
    ),
    "WpIndex": {
        "type": "object",
        "properties": {
            "namespaces": {"type": "array", "items": {"type": "string"}},
            "routes": {"type": "object"},
        },
        "required": ["namespaces", "routes"],
    },
}


def wordpress_components(result, generator, request, public):
    """A drf-spectacular postprocessing hook (after the others): the Wp* components the
    WordPress operations refer to; their paths as WordPress writes them (no trailing
    slash; both are answered); and their query parameters as WordPress reads them: an
    empty value is no filter, not an error (the StrictFilterSet rule of our own API,
    plumbing.filters.document_empty_values_refused, goes by parameter name)."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(COMPONENTS)
    paths = result.get("paths", {})
    for path in [p for p in paths if p.startswith("/wp-json/")]:
        path_item = paths.pop(path)
        for operation in path_item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                parameter.get("schema", {}).pop("minLength", None)
                parameter.get("schema", {}).pop("minItems", None)
        paths[path.rstrip("/") if path != "/wp-json/" else path] = path_item
    return result
