"""Reading a WordPress eXtended RSS (WXR 1.0–1.2) export into plain records.

`read_wxr()` streams the file with `iterparse` and yields one small record per channel
child (author, category, tag, item); every element is dropped once read, so memory stays
bounded by the largest single post (with its comments), not by the file. The records
hold the export's text as it is: turning it into our values is converting.py's job.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - see read_wxr
from collections.abc import Callable, Iterator
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, BinaryIO

# WXR 1.0–1.2 put the version in the namespace URI, over http or https.
WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/1\.\d+/$")
EXCERPT_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/1\.\d+/excerpt/$")
FIXED_NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
}


class WxrError(Exception):
    """The file cannot be imported (missing, not XML, not a WordPress export).

    The message is one line, fit for the command's error output."""


def _int_or_none(value: str) -> int | None:
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def _id_or_none(value: str) -> int | None:
    # WordPress ids start at 1: a 0 (what some tools write for every item) is no id, as
    # a 0 parent means "no parent".
    return _int_or_none(value) or None


def _child(tag: str | None = None, read: Callable[[str], Any] = str.strip) -> Any:
    """A record field read by `read` from the child element `tag` (by default, the
    prefix of the record's children and the field's name: see `_record`)."""
    metadata = {"read": read} if tag is None else {"tag": tag, "read": read}
    return field(metadata=metadata)


# A record's field without a default is the text of one child element, stripped. WXR
# names most children after their parent (<wp:author_login> in <wp:author>), so that
# element is the prefix of the record's children and the field's name (`_record`),
# unless `_child` names another.


@dataclass
class WxrAuthor:
    login: str
    email: str
    display_name: str


@dataclass
class WxrCategory:
    term_id: int | None = _child("wp:term_id", _id_or_none)
    nicename: str
    parent: str
    name: str = _child("wp:cat_name")
    description: str


@dataclass
class WxrTag:
    term_id: int | None = _child("wp:term_id", _id_or_none)
    slug: str
    name: str


@dataclass
class WxrComment:
    comment_id: int | None = _child("wp:comment_id", _id_or_none)
    parent_id: int | None = _child("wp:comment_parent", _id_or_none)
    author: str
    author_email: str
    author_url: str
    author_ip: str = _child("wp:comment_author_IP")
    date_gmt: str
    date: str
    content: str = _child(read=str)
    approved: str
    type: str


@dataclass
class WxrPost:
    """An <item>: a post, page, attachment, menu item or any other post type."""

    post_id: int | None = _child(read=_id_or_none)
    post_type: str
    title: str = _child("title", str)
    # What recognises an item that has no post_id (see identity.py).
    guid: str = _child("guid")
    link: str = _child("link")
    post_name: str
    status: str
    post_date: str
    post_date_gmt: str
    pub_date: str = _child("pubDate")
    creator: str = _child("dc:creator")
    content: str = _child("content:encoded", str)
    excerpt: str = _child("excerpt:encoded", str)
    comment_status: str
    password: str = _child("wp:post_password")
    attachment_url: str = _child("wp:attachment_url")  # an attachment's file
    # (domain, nicename, name) of the <category> elements; domain is "category",
    # "post_tag", "post_format"..., or "" (and nicename "") where the file leaves them
    # out: converting.post_term_kind says what each one is.
    terms: list[tuple[str, str, str]] = field(default_factory=list)
    old_slugs: list[str] = field(default_factory=list)
    comments: list[WxrComment] = field(default_factory=list)
    # A post's featured image (the attachment's post id) and an attachment's alt text,
    # among others: the post meta the import reads (KEPT_POST_META).
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def thumbnail_id(self) -> int | None:
        return _id_or_none(self.meta.get("_thumbnail_id", ""))


# The post meta the import reads (the rest is WordPress's own bookkeeping).
KEPT_POST_META = frozenset({"_thumbnail_id", "_wp_attachment_image_alt"})

WxrRecord = WxrAuthor | WxrCategory | WxrTag | WxrPost


class _Names:
    """Maps ElementTree's "{uri}local" tags to "wp:local", whatever the WXR version."""

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    @staticmethod
    def prefix_for(uri: str) -> str | None:
        if WP_NAMESPACE.match(uri):
            return "wp"
        if EXCERPT_NAMESPACE.match(uri):
            return "excerpt"
        return FIXED_NAMESPACES.get(uri)

    def __call__(self, tag: str) -> str:
        name = self._cache.get(tag)
        if name is None:
            name = tag
            if tag.startswith("{"):
                uri, local = tag[1:].split("}", 1)
                prefix = self.prefix_for(uri)
                name = f"{prefix}:{local}" if prefix else tag
            self._cache[tag] = name
        return name


def _texts(element: ET.Element, names: _Names) -> dict[str, str]:
    return {names(child.tag): child.text or "" for child in element}


def _record(cls: type, texts: dict[str, str], prefix: str, **values: Any) -> Any:
    """A record of `cls`: each field without a default read from the text of its child
    (`prefix` and the field's name, unless `_child` names another; "" when absent),
    unless given in `values`."""
    for f in fields(cls):
        if f.name not in values and f.default_factory is MISSING:
            tag = f.metadata.get("tag", prefix + f.name)
            values[f.name] = f.metadata.get("read", str.strip)(texts.get(tag, ""))
    return cls(**values)


def _post(element: ET.Element, names: _Names) -> WxrPost:
    texts: dict[str, str] = {}
    terms, old_slugs, comments, post_meta = [], [], [], {}
    for child in element:
        name = names(child.tag)
        if name == "category":
            terms.append(
                (child.get("domain", ""), child.get("nicename", ""), (child.text or "").strip())
            )
        elif name == "wp:postmeta":
            meta = _texts(child, names)
            key, value = meta.get("wp:meta_key", "").strip(), meta.get("wp:meta_value", "").strip()
            if key == "_wp_old_slug":
                old_slugs.append(value)
            elif key in KEPT_POST_META:
                post_meta[key] = value
        elif name == "wp:comment":
            comments.append(_record(WxrComment, _texts(child, names), "wp:comment_"))
        else:
            texts[name] = child.text or ""
    return _record(
        WxrPost, texts, "wp:", terms=terms, old_slugs=old_slugs, comments=comments, meta=post_meta
    )


def _flat(cls: type, prefix: str) -> Callable[[ET.Element, _Names], WxrRecord]:
    """The reader of a channel child whose fields are all its children's texts."""
    return lambda element, names: _record(cls, _texts(element, names), prefix)


# The reader of each channel child, by element name.
CHANNEL_RECORDS: dict[str, Callable[[ET.Element, _Names], WxrRecord]] = {
    "wp:author": _flat(WxrAuthor, "wp:author_"),
    "wp:category": _flat(WxrCategory, "wp:category_"),
    "wp:tag": _flat(WxrTag, "wp:tag_"),
    "item": _post,
}


def read_wxr(stream: BinaryIO, *, label: str = "the file") -> Iterator[WxrRecord]:
    """Yield the records of a WXR file, one channel child at a time.

    Raises WxrError when the file is not well-formed XML or not a WordPress export.
    Every channel child is removed from the tree once read, so memory does not grow with
    the file.
    """
    names = _Names()
    wp_namespace_seen = False
    depth = 0
    channel: ET.Element | None = None
    # ElementTree never fetches external entities or DTDs, and expat (>= 2.4) refuses
    # runaway entity expansion ("billion laughs"); exports come from staff anyway.
    events = ET.iterparse(stream, events=("start-ns", "start", "end"))  # noqa: S314
    try:
        for event, payload in events:
            if event == "start-ns":
                wp_namespace_seen |= bool(WP_NAMESPACE.match(payload[1]))
                continue
            element: ET.Element = payload
            if event == "start":
                depth += 1
                if depth == 1:
                    _check_root(element, wp_namespace_seen, label)
                elif depth == 2 and element.tag == "channel":
                    channel = element
                continue
            depth -= 1
            if depth == 2 and channel is not None:
                reader = CHANNEL_RECORDS.get(names(element.tag))
                if reader is not None:
                    yield reader(element, names)
                # Drop what was read (and the channel's own title, link...).
                del channel[:]
    except ET.ParseError as error:
        raise WxrError(f"{label} is not well-formed XML: {error}") from None
    if channel is None:
        raise WxrError(f"{label} is not a WordPress export (WXR): no <channel> in <rss>")


def _check_root(root: ET.Element, wp_namespace_seen: bool, label: str) -> None:
    if root.tag != "rss":
        raise WxrError(
            f"{label} is not a WordPress export (WXR): the root element is <{root.tag}>, not <rss>"
        )
    if not wp_namespace_seen:
        raise WxrError(
            f"{label} is not a WordPress export (WXR): no WordPress export namespace "
            "(http://wordpress.org/export/1.x/)"
        )
