"""The article body's editor in the admin: django-prose-editor (Tiptap/ProseMirror, its
assets inside the package), configured from the sanitizer's allowlist.

One allowlist: the editor offers only markup that articles.sanitizer keeps (a test
derives the editor's own allowlist from EDITOR_EXTENSIONS and checks it against the
sanitizer's), and what it sends is sanitized on save like any other body.

A visual editor keeps only what its schema knows: a body with markup outside it (an
imported post's <dl>, <abbr>, <span>, a table cell's colspan...) would lose it on the
first save. Such a body opens in the HTML textarea instead, with a note saying why: an
article never loses allowed markup by being opened and saved (docs/decisions.md).
"""

from __future__ import annotations

import re

from django import forms
from django.urls import reverse_lazy
from django_prose_editor.config import allowlist_from_extensions
from django_prose_editor.widgets import AdminProseEditorWidget

from articles.models import Article

EDITOR_EXTENSIONS = {
    "Heading": {"levels": [2, 3, 4]},
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "Code": True,
    "CodeBlock": True,
    "HorizontalRule": True,
    "HardBreak": True,
    # A picture from the media library (its "Browse..." button opens the picker) with
    # alt text and a caption: <figure><img data-file="id"><figcaption>.
    "Figure": {"pickerUrl": reverse_lazy("admin:articles_image_picker")},
    "Caption": True,
    "Image": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    # The source view, for those who want to write HTML.
    "HTML": True,
}

# Attributes the editor writes that the sanitizer sets or drops by design: `rel` on
# links (nh3 writes its own, "noopener noreferrer"), a figure's class (layout hints of
# the editor's own stylesheet; a reading page styles figures itself), an ordered list's
# type markers.
SANITIZER_DECIDES = {("a", "rel"), ("figure", "class"), ("ol", "type"), ("ol", "data-type")}


def editor_allowlist() -> tuple[set[str], dict[str, set[str]]]:
    """(tags, attributes) the configured editor can produce, by its own reckoning."""
    config = allowlist_from_extensions(EDITOR_EXTENSIONS)
    return set(config["tags"]), {tag: set(attrs) for tag, attrs in config["attributes"].items()}


_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>")
_ATTRIBUTE_NAME = re.compile(r'\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="[^"]*")?')
# Attributes the editor drops but the save puts back (articles/images.py), or that
# carry nothing a reader sees.
_RESTORED_ON_SAVE = {("img", "srcset"), ("img", "sizes"), ("img", "width"), ("img", "height"),
                     ("a", "rel"), ("img", "loading")}  # fmt: skip


# A picture inside a link: the editor's pictures are blocks, never inside a link, so it
# would keep the picture and lose the link (found by the browser round trip of
# WordPress's theme test posts).
_LINKED_PICTURE = re.compile(r"<a\b[^>]*>(?:(?!</a>).)*?<img\b", re.DOTALL)


def markup_the_editor_drops(body: str) -> list[str]:
    """Tags and attributes in `body` (sanitized HTML) that the editor would not keep:
    ["dl", "abbr[title]", "a > img", ...]; empty when the editor opens it without loss."""
    tags, attributes = editor_allowlist()
    tags |= {"p", "br"}
    lost: dict[str, None] = {}
    if _LINKED_PICTURE.search(body or ""):
        lost["a > img"] = None
    for match in _TAG.finditer(body or ""):
        tag = match.group(1).lower()
        if tag not in tags:
            lost[tag] = None
            continue
        for attribute in _ATTRIBUTE_NAME.findall(match.group(2)):
            attribute = attribute.lower()
            if attribute in attributes.get(tag, set()) or (tag, attribute) in _RESTORED_ON_SAVE:
                continue
            lost[f"{tag}[{attribute}]"] = None
    return list(lost)


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 (the ModelAdmin's fieldsets choose)
        widgets = {
            "title": forms.TextInput(attrs={"class": "vTextField article-title"}),
            "excerpt": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        body = self.fields.get("body")
        if body is None:
            return
        lost = markup_the_editor_drops(self.initial.get("body", "") or "")
        if lost:
            body.widget = forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField html-source"})
            body.help_text = (
                "Edited as HTML: this article holds markup the visual editor would not keep "
                f"({', '.join(lost[:8])}). Sanitized on save to the allowed tags."
            )
        else:
            body.widget = AdminProseEditorWidget(
                config={"extensions": EDITOR_EXTENSIONS}, preset="configurable"
            )
            body.help_text = (
                "Use the toolbar, or its HTML button for the source. Pictures: the image "
                "button, then Browse… to pick from the media library."
            )
