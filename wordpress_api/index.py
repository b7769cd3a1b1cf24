"""`/wp-json/` and `/wp-json/wp/v2`: what this site answers, as WordPress describes
itself (clients such as wpapi's `discover()` read the routes and their arguments)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema

from wordpress_api import params, schema
from wordpress_api.comment_views import COMMENT_PARAMS
from wordpress_api.parameters import (
    CATEGORY_PARAMS,
    MEDIA_PARAMS,
    POST_PARAMS,
    TERM_PARAMS,
    USER_PARAMS,
)
from wordpress_api.views import WordPressView

NAMESPACE = "wp/v2"
_ITEM = "/(?P<id>[\\d]+)"
# route (under the namespace) → (methods, collection parameters)
ROUTES = {
    "posts": (["GET"], POST_PARAMS),
    "categories": (["GET"], CATEGORY_PARAMS),
    "tags": (["GET"], TERM_PARAMS),
    "users": (["GET"], USER_PARAMS),
    "comments": (["GET", "POST"], COMMENT_PARAMS),
    "media": (["GET"], MEDIA_PARAMS),
}
_KIND_TYPES = {
    "integer": "integer",
    "ids": "array",
    "string": "string",
    "strings": "array",
    "enum": "string",
    "enums": "array",
    "boolean": "boolean",
    "date": "string",
}


def _argument(param: params.Param) -> dict:
    argument: dict = {
        "description": param.description,
        "type": _KIND_TYPES[param.kind],
        "required": False,
    }
    if param.default not in (None, []):
        argument["default"] = param.default
    if param.minimum is not None:
        argument["minimum"] = param.minimum
    if param.maximum is not None and param.maximum < params.MAX_ID:
        argument["maximum"] = param.maximum
    if param.choices:
        if param.kind == "enums":
            argument["items"] = {"type": "string", "enum": list(param.choices)}
        else:
            argument["enum"] = list(param.choices)
    if param.kind == "date":
        argument["format"] = "date-time"
    if param.kind == "ids":
        argument["items"] = {"type": "integer"}
    return argument


def routes(root: str) -> dict:
    found = {}
    for name, (methods, declared) in ROUTES.items():
        collection = f"/{NAMESPACE}/{name}"
        found[collection] = {
            "namespace": NAMESPACE,
            "methods": methods,
            "endpoints": [
                {"methods": ["GET"], "args": {p.name: _argument(p) for p in declared}},
                *([{"methods": ["POST"], "args": {}}] if "POST" in methods else []),
            ],
            "_links": {"self": [{"href": f"{root}{NAMESPACE}/{name}"}]},
        }
        found[collection + _ITEM] = {
            "namespace": NAMESPACE,
            "methods": ["GET"],
            "endpoints": [
                {
                    "methods": ["GET"],
                    "args": {
                        "id": {
                            "description": "Unique identifier for the object.",
                            "type": "integer",
                            "required": False,
                        }
                    },
                }
            ],
        }
    return found


class IndexView(WordPressView):
    @extend_schema(
        operation_id="wp_index",
        summary="The site and its routes",
        responses={200: schema._ref("WpIndex")},
    )
    def get(self, request):
        root = request.build_absolute_uri("/wp-json/")
        offset = timezone.localtime().utcoffset()
        return self.plain(
            {
                "name": settings.SITE_NAME,
                "description": "",
                "url": settings.SITE_URL.rstrip("/"),
                "home": settings.SITE_URL.rstrip("/"),
                "gmt_offset": (offset.total_seconds() / 3600) if offset else 0,
                "timezone_string": settings.TIME_ZONE,
                "namespaces": [NAMESPACE],
                "authentication": {},
                "routes": {
                    "/": {
                        "namespace": "",
                        "methods": ["GET"],
                        "endpoints": [{"methods": ["GET"], "args": {}}],
                    },
                    f"/{NAMESPACE}": {
                        "namespace": NAMESPACE,
                        "methods": ["GET"],
                        "endpoints": [{"methods": ["GET"], "args": {}}],
                    },
                    **routes(root),
                },
                "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]},
            }
        )


class NamespaceView(WordPressView):
    @extend_schema(
        operation_id="wp_namespace", summary="The wp/v2 routes", responses={200: {"type": "object"}}
    )
    def get(self, request):
        root = request.build_absolute_uri("/wp-json/")
        return self.plain(
            {"namespace": NAMESPACE, "routes": routes(root), "_links": {"up": [{"href": root}]}}
        )
