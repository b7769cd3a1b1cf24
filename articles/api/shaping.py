"""Field selection and embedding for the article API, in one place.

- `fields=title,url` keeps only the fields named; `omit=body_html` drops those named;
- `expand=category,tags,author` replaces each reference by the object as its own
  endpoint describes it (no `article_count`: see below), the category with the names of
  its whole path (`breadcrumbs`), so a page needs no more calls.

Each takes a comma-separated list, or the parameter repeated, as generated clients send
arrays. An unknown name answers 400 naming the parameter. Selection is on the top-level
fields only (Wagtail's `fields=` and WordPress's `_fields` go deeper; no frontend we
tried needed it). Every expansion is one query for the whole page (articles.selectors),
and none runs for a field that is not shown, so a request costs a fixed number of
queries whatever the page size (tests/frontend/test_field_selection.py counts each
combination).

Expanded objects leave out `article_count`: a count changes when *other* articles go
live, which would tie every article page to the whole schedule; the term endpoints
carry it. (drf-flex-fields does much of this, but drives nested serializers per row: our
lean serializers write rows directly, and its expansion would cost a query per row
unless every view prefetched for it.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from articles import selectors

EXPANDABLE = ("author", "category", "tags")
_NAME_LIKE = re.compile(r"[a-z_]{1,40}")


@dataclass(frozen=True)
class Shape:
    """What a request asked to see: the fields kept (in the serializer's order) and the
    references expanded among them."""

    fields: tuple[str, ...]
    expand: frozenset[str]
    selected: bool  # whether `fields` or `omit` narrowed the answer

    def shows(self, name: str) -> bool:
        return name in self.fields


def requested_shape(query_params: QueryDict, *, available: Sequence[str]) -> Shape:
    """The shape `fields`, `omit` and `expand` ask for, or ValidationError (400) naming
    each parameter that holds an unknown or empty name."""
    errors: dict[str, list[str]] = {}
    chosen = _names(query_params, "fields", allowed=available, errors=errors)
    omitted = _names(query_params, "omit", allowed=available, errors=errors)
    expand = _names(query_params, "expand", allowed=EXPANDABLE, errors=errors)
    if errors:
        raise ValidationError(errors)
    kept = [
        name
        for name in available
        if (chosen is None or name in chosen) and (omitted is None or name not in omitted)
    ]
    return Shape(
        fields=tuple(kept),
        expand=frozenset(name for name in expand or () if name in kept),
        selected=chosen is not None or omitted is not None,
    )


def _names(
    query_params: QueryDict, parameter: str, *, allowed: Sequence[str], errors: dict
) -> set[str] | None:
    values = query_params.getlist(parameter)
    if not values:
        return None
    names = [name.strip() for value in values for name in value.split(",")]
    if any(not name for name in names):
        errors[parameter] = ["Give names separated by commas, with none empty."]
        return None
    unknown = [name for name in names if name not in allowed]
    if unknown:
        # A name is quoted back only when it looks like one (a typo such as `titel`):
        # other input is never echoed, as in every other error message.
        errors[parameter] = [
            (f"Unknown name {name!r}." if _NAME_LIKE.fullmatch(name) else "Unknown name.")
            + f" Choose from: {', '.join(allowed)}."
            for name in unknown
        ]
        return None
    return set(names)


def shaped(items: list[dict], shape: Shape) -> list[dict]:
    """The serializer's output for these items, expanded and narrowed as asked (in
    place: the dicts are the response's own)."""
    if shape.expand:
        _expand(items, shape.expand)
    if shape.selected:
        for index, item in enumerate(items):
            items[index] = {name: item[name] for name in shape.fields if name in item}
    return items


def _expand(items: list[dict], expand: frozenset[str]) -> None:
    if "category" in expand:
        categories = [item["category"] for item in items if item.get("category")]
        found = selectors.category_cards(slugs=_union(c["path"] for c in categories))
        for item in items:
            ref = item.get("category")
            if ref and ref["slug"] in found:
                card = dict(found[ref["slug"]])
                card["breadcrumbs"] = [
                    {"name": found[slug]["name"] if slug in found else slug, "slug": slug}
                    for slug in card["path"]
                ]
                item["category"] = card
    if "author" in expand:
        found = selectors.author_cards(
            slugs={item["author"]["slug"] for item in items if item.get("author")}
        )
        for item in items:
            ref = item.get("author")
            if ref and ref["slug"] in found:
                item["author"] = dict(found[ref["slug"]])
    if "tags" in expand:
        found = selectors.tag_cards(
            slugs=_union((tag["slug"] for tag in item.get("tags") or ()) for item in items)
        )
        for item in items:
            if "tags" in item:
                item["tags"] = [dict(found.get(tag["slug"], tag)) for tag in item["tags"]]


def _union(groups: Iterable[Iterable[str]]) -> set[str]:
    return {slug for group in groups for slug in group}


# --- the schema -------------------------------------------------------------------------
# What expansion adds to each reference, as optional properties: generated clients type
# them `field?: ...` on the reference itself, so one type serves both answers.
_BREADCRUMB = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "slug": {"type": "string"}},
    "required": ["name", "slug"],
}
EXPANDED_PROPERTIES = {
    "CategoryRef": {
        "id": {"type": "integer", "description": "With `expand=category`."},
        "description": {"type": "string", "description": "With `expand=category`."},
        "parent": {
            "type": "string",
            "nullable": True,
            "description": "The parent's slug, with `expand=category`.",
        },
        "breadcrumbs": {
            "type": "array",
            "items": _BREADCRUMB,
            "description": "The path's names and slugs, root first, with `expand=category`.",
        },
    },
    "TagRef": {"id": {"type": "integer", "description": "With `expand=tags`."}},
    "AuthorRef": {
        "id": {"type": "integer", "description": "With `expand=author`."},
        "bio": {"type": "string", "description": "With `expand=author`."},
    },
}


def shape_parameters(available: Sequence[str]) -> list[OpenApiParameter]:
    """The `fields`, `omit` and `expand` query parameters of an operation whose
    serializer has these fields."""

    def names(parameter: str, choices: Sequence[str], description: str) -> OpenApiParameter:
        return OpenApiParameter(
            parameter,
            {"type": "array", "minItems": 1, "items": {"type": "string", "enum": list(choices)}},
            style="form",
            explode=False,
            description=description
            + " Comma-separated, or the parameter repeated; an unknown name answers 400.",
        )

    return [
        names(
            "fields",
            available,
            "Answer with only these fields (the schema's required fields describe a full answer).",
        ),
        names("omit", available, "Answer without these fields."),
        names(
            "expand",
            EXPANDABLE,
            "Embed these references whole: `category` with `id`, `description`, `parent` "
            "and `breadcrumbs` (the path's names), `tags` with their `id`, `author` with "
            "`id` and `bio`. One more query each, for the whole page.",
        ),
    ]


def document_expansions(result, generator, request, public):
    """A drf-spectacular postprocessing hook: the properties expansion adds, optional on
    the reference components."""
    schemas = result.get("components", {}).get("schemas", {})
    for component, properties in EXPANDED_PROPERTIES.items():
        if component in schemas:
            schemas[component].setdefault("properties", {}).update(properties)
    return result
