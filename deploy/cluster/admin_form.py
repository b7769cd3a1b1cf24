"""Reading a Django admin change form as a browser would submit it (the cluster check
edits an article's status the way an editor does: every field as the form shows it,
one changed)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(html: str) -> str | None:
    found = _CSRF.search(html)
    return found.group(1) if found else None


class _FormFields(HTMLParser):
    """The successful controls of the form with id `form_id`: (name, value) pairs in
    document order (checked boxes only, selected options, textareas' text)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # A browser drops the one newline that follows <textarea>.
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    parser = _FormFields(form_id)
    parser.feed(html)
    parser.close()
    return parser.fields


def with_value(fields: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    """`fields` with `name` set to the single `value` (ValueError when the form has no
    such field)."""
    if not any(field == name for field, _ in fields):
        raise ValueError(f"the form has no field {name!r}")
    kept = [(field, old) for field, old in fields if field != name]
    return [*kept, (name, value)]
