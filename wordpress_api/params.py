"""Query parameters as WordPress reads them, refused as WordPress refuses them.

Each endpoint declares its parameters (`Param`); `read()` returns their values or raises
rest_invalid_param naming every bad one. Lists come as `a,b`, as `name[]=a&name[]=b` or
repeated; parameters nobody declared are ignored, as WordPress ignores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import QueryDict

from wordpress_api import dates
from wordpress_api.errors import WordPressError, invalid_params

MAX_ID = 2**63 - 1
# As WordPress's rest_is_boolean: an empty value is not a boolean (400), not false.
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # integer, ids, string, strings, enum, enums, boolean, date
    description: str = ""
    default: object = None
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()


class _Bad(Exception):
    def __init__(self, code: str, message: str):
        self.code, self.message = code, message


def _raw(query: QueryDict, name: str) -> list[str] | None:
    """The values given for `name`: `name[]` (PHP's arrays), `name` (whose last value
    wins, as in PHP) or, for a taxonomy, `name[terms][]` / `name[terms]` (the object form
    `{terms, include_children, operator}`); None when absent."""
    for array in (f"{name}[]", f"{name}[terms][]"):
        if array in query:
            return query.getlist(array)
    for single in (name, f"{name}[terms]"):
        if single in query:
            return [query.getlist(single)[-1]]
    return None


def include_children(query: QueryDict, name: str) -> bool:
    """`name[include_children]` of a hierarchical taxonomy's object form."""
    value = query.get(f"{name}[include_children]", "").strip().lower()
    return value in _TRUE


def _integer(param: Param, text: str, label: str) -> int:
    text = text.strip()
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):
        raise _Bad("rest_invalid_type", f"{label} is not of type integer.")
    # Beyond what the database holds (64 bits): out of bounds, never an overflow.
    value = int(text) if len(digits) <= 30 else MAX_ID + 1
    low, high = param.minimum, param.maximum
    if low is not None and high is not None and not low <= value <= high:
        raise _Bad(
            "rest_out_of_bounds",
            f"{label} must be between {low} (inclusive) and {high} (inclusive)",
        )
    if low is not None and value < low:
        raise _Bad("rest_out_of_bounds", f"{label} must be greater than or equal to {low}")
    if value > MAX_ID or value < -MAX_ID:
        raise _Bad("rest_out_of_bounds", f"{label} must be less than or equal to {MAX_ID}")
    return value


def _items(values: list[str]) -> list[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _value(param: Param, values: list[str]):
    name = param.name
    if param.kind == "integer":
        return _integer(param, values[-1], name)
    if param.kind == "ids":
        id_param = Param(name, "integer", minimum=0)
        return [_integer(id_param, item, f"{name}[{i}]") for i, item in enumerate(_items(values))]
    if param.kind == "string":
        return values[-1]
    if param.kind == "strings":
        return _items(values)
    if param.kind in ("enum", "enums"):
        chosen = _items(values) if param.kind == "enums" else [values[-1]]
        for i, item in enumerate(chosen):
            if item not in param.choices:
                label = name if param.kind == "enum" else f"{name}[{i}]"
                raise _Bad("rest_not_in_enum", f"{label} is not one of {', '.join(param.choices)}.")
        return chosen if param.kind == "enums" else chosen[0]
    if param.kind == "boolean":
        text = values[-1].strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _Bad("rest_invalid_type", f"{name} is not of type boolean.")
    if param.kind == "date":
        moment = dates.parse(values[-1])
        if moment is None:
            raise _Bad("rest_invalid_date", "Invalid date.")
        return moment
    raise ValueError(f"unknown parameter kind {param.kind}")


def read(query: QueryDict, params: tuple[Param, ...]) -> dict:
    """{name: value} for every declared parameter (its default when absent)."""
    found, problems = {}, {}
    for param in params:
        values = _raw(query, param.name)
        if values is None:
            found[param.name] = param.default
            continue
        try:
            found[param.name] = _value(param, values)
        except _Bad as bad:
            problems[param.name] = (bad.code, bad.message)
    if problems:
        raise invalid_params(problems)
    return found


def forbidden_context(query: QueryDict, plural: str) -> None:
    """`context=edit` (or embed) asks for fields only editors see: refused for everyone
    here, as WordPress refuses it to a reader without the capability."""
    context = _raw(query, "context")
    if context and context[-1] not in ("view", "embed"):
        if context[-1] == "edit":
            raise WordPressError(
                "rest_forbidden_context",
                f"Sorry, you are not allowed to edit {plural}.",
                401,
            )
        raise invalid_params(
            {"context": ("rest_not_in_enum", "context is not one of view, embed, edit.")}
        )


# --- what every collection takes ----------------------------------------------------

PAGE = Param("page", "integer", "Current page of the collection.", default=1, minimum=1)
PER_PAGE = Param(
    "per_page",
    "integer",
    "Maximum number of items to be returned in result set.",
    default=10,
    minimum=1,
    maximum=100,
)
SEARCH = Param("search", "string", "Limit results to those matching a string.")
INCLUDE = Param("include", "ids", "Limit result set to specific IDs.", default=[])
EXCLUDE = Param("exclude", "ids", "Ensure result set excludes specific IDs.", default=[])
OFFSET = Param(
    "offset",
    "integer",
    "Offset the result set by a specific number of items.",
    minimum=0,
)
SLUG = Param(
    "slug", "strings", "Limit result set to items with one or more specific slugs.", default=[]
)


def order(default: str) -> Param:
    return Param(
        "order",
        "enum",
        "Order sort attribute ascending or descending.",
        default=default,
        choices=("asc", "desc"),
    )


def orderby(default: str, *choices: str) -> Param:
    return Param(
        "orderby", "enum", "Sort collection by attribute.", default=default, choices=choices
    )


def after_before() -> tuple[Param, Param]:
    return (
        Param(
            "after",
            "date",
            "Limit response to items published after a given ISO8601 compliant date.",
        ),
        Param(
            "before",
            "date",
            "Limit response to items published before a given ISO8601 compliant date.",
        ),
    )


def bounds(values: dict) -> tuple[datetime | None, datetime | None]:
    return values.get("after"), values.get("before")
