"""`_fields=`: only the named fields of each object, as WordPress's
rest_filter_response_fields keeps them. A name may reach inside an object with dots
(`title.rendered`); unknown names are ignored."""

from __future__ import annotations


def only_fields(item: dict, wanted: list[str]) -> dict:
    kept: dict = {}
    for name in wanted:
        top, _, rest = name.partition(".")
        if top not in item:
            continue
        value = item[top]
        if not rest or not isinstance(value, dict):
            kept[top] = value
            continue
        inner = kept.setdefault(top, {})
        if isinstance(inner, dict) and inner is not value:
            inner.update(only_fields(value, [rest]))
    return kept
