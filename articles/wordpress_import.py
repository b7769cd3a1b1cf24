"""Import a WordPress eXtended RSS (WXR 1.0–1.2) export: categories, tags, authors, posts,
old slugs and reader comments.

Two halves:

- `read_wxr()` streams the file with `iterparse` and yields one small record per channel
  child (author, category, tag, item); every element is dropped once read, so memory
  stays bounded by the largest single post (with its comments), not by the file.
- `WordPressImporter` turns the records into rows, matching on the WordPress ids kept in
  the `wordpress_id` / `wordpress_login` columns, so importing the same file again
  changes nothing.

`wordpress_import()` runs both in one transaction: a file that turns out to be broken
halfway leaves the database as it was. See docs/wordpress-import.md for the mapping and
the decisions behind it.
"""

from __future__ import annotations

import html
import ipaddress
import re
import xml.etree.ElementTree as ET  # noqa: S405 - see read_wxr
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, ArticleSlugRedirect, Author, Category, Tag
from articles.sanitizer import sanitize_article_html
from articles.signals import bulk_content_changed
from comments.models import Comment
from comments.services import comment_counts_refresh

# ---------------------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------------------

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


@dataclass
class WxrAuthor:
    login: str
    email: str
    display_name: str


@dataclass
class WxrCategory:
    term_id: int | None
    nicename: str
    parent: str
    name: str
    description: str


@dataclass
class WxrTag:
    term_id: int | None
    slug: str
    name: str


@dataclass
class WxrComment:
    comment_id: int | None
    parent_id: int | None
    author: str
    author_email: str
    author_url: str
    author_ip: str
    date_gmt: str
    date: str
    content: str
    approved: str
    type: str


@dataclass
class WxrPost:
    """An <item>: a post, page, attachment, menu item or any other post type."""

    post_id: int | None
    post_type: str
    title: str = ""
    post_name: str = ""
    status: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    pub_date: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    comment_status: str = ""
    password: str = ""
    # (domain, nicename, name) of the <category> elements; domain is "category",
    # "post_tag", "post_format"...
    terms: list[tuple[str, str, str]] = field(default_factory=list)
    old_slugs: list[str] = field(default_factory=list)
    comments: list[WxrComment] = field(default_factory=list)


WxrRecord = WxrAuthor | WxrCategory | WxrTag | WxrPost


def _int_or_none(value: str) -> int | None:
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


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


def _author(element: ET.Element, names: _Names) -> WxrAuthor:
    t = _texts(element, names)
    return WxrAuthor(
        login=t.get("wp:author_login", "").strip(),
        email=t.get("wp:author_email", "").strip(),
        display_name=t.get("wp:author_display_name", "").strip(),
    )


def _category(element: ET.Element, names: _Names) -> WxrCategory:
    t = _texts(element, names)
    return WxrCategory(
        term_id=_int_or_none(t.get("wp:term_id", "")),
        nicename=t.get("wp:category_nicename", "").strip(),
        parent=t.get("wp:category_parent", "").strip(),
        name=t.get("wp:cat_name", "").strip(),
        description=t.get("wp:category_description", "").strip(),
    )


def _tag(element: ET.Element, names: _Names) -> WxrTag:
    t = _texts(element, names)
    return WxrTag(
        term_id=_int_or_none(t.get("wp:term_id", "")),
        slug=t.get("wp:tag_slug", "").strip(),
        name=t.get("wp:tag_name", "").strip(),
    )


def _comment(element: ET.Element, names: _Names) -> WxrComment:
    t = _texts(element, names)
    parent = _int_or_none(t.get("wp:comment_parent", ""))
    return WxrComment(
        comment_id=_int_or_none(t.get("wp:comment_id", "")),
        parent_id=parent or None,  # 0 means "no parent"
        author=t.get("wp:comment_author", "").strip(),
        author_email=t.get("wp:comment_author_email", "").strip(),
        author_url=t.get("wp:comment_author_url", "").strip(),
        author_ip=t.get("wp:comment_author_IP", "").strip(),
        date_gmt=t.get("wp:comment_date_gmt", "").strip(),
        date=t.get("wp:comment_date", "").strip(),
        content=t.get("wp:comment_content", ""),
        approved=t.get("wp:comment_approved", "").strip(),
        type=t.get("wp:comment_type", "").strip(),
    )


def _post(element: ET.Element, names: _Names) -> WxrPost:
    fields: dict[str, str] = {}
    terms, old_slugs, comments = [], [], []
    for child in element:
        name = names(child.tag)
        if name == "category":
            terms.append(
                (child.get("domain", ""), child.get("nicename", ""), (child.text or "").strip())
            )
        elif name == "wp:postmeta":
            meta = _texts(child, names)
            if meta.get("wp:meta_key", "").strip() == "_wp_old_slug":
                old_slugs.append(meta.get("wp:meta_value", "").strip())
        elif name == "wp:comment":
            comments.append(_comment(child, names))
        else:
            fields[name] = child.text or ""
    return WxrPost(
        post_id=_int_or_none(fields.get("wp:post_id", "")),
        post_type=fields.get("wp:post_type", "").strip(),
        title=fields.get("title", ""),
        post_name=fields.get("wp:post_name", "").strip(),
        status=fields.get("wp:status", "").strip(),
        post_date=fields.get("wp:post_date", "").strip(),
        post_date_gmt=fields.get("wp:post_date_gmt", "").strip(),
        pub_date=fields.get("pubDate", "").strip(),
        creator=fields.get("dc:creator", "").strip(),
        content=fields.get("content:encoded", ""),
        excerpt=fields.get("excerpt:encoded", ""),
        comment_status=fields.get("wp:comment_status", "").strip(),
        password=fields.get("wp:post_password", "").strip(),
        terms=terms,
        old_slugs=old_slugs,
        comments=comments,
    )


CHANNEL_RECORDS: dict[str, Callable[[ET.Element, _Names], WxrRecord]] = {
    "wp:author": _author,
    "wp:category": _category,
    "wp:tag": _tag,
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


# ---------------------------------------------------------------------------------------
# Turning WordPress values into ours
# ---------------------------------------------------------------------------------------

POST_STATUSES = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.SCHEDULED,
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.REVIEW,
    "private": Article.Status.DRAFT,
    "trash": Article.Status.ARCHIVED,
}
# Statuses that never had a publication date of their own in WordPress.
UNDATED_STATUSES = {Article.Status.DRAFT, Article.Status.REVIEW}
COMMENT_STATUSES = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.REMOVED,
    "post-trashed": Comment.Status.REMOVED,
}
# "" is what WordPress wrote for ordinary comments before 5.5; "comment" since.
READER_COMMENT_TYPES = {"", "comment"}
ANONYMOUS = "Anonymous"  # what WordPress shows for a comment without a name


def wordpress_datetime(value: str) -> datetime | None:
    """A WXR "YYYY-MM-DD HH:MM:SS" as an aware UTC datetime; None for 0000-00-00 or junk."""
    if not value or value.startswith("0000-00-00"):
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _rfc822_datetime(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.year < 1971:  # "-0001-11-30" style placeholders
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class _TextExtractor(HTMLParser):
    BLOCKS = {
        "address", "article", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure",
        "h1", "h2", "h3", "h4", "h5", "h6", "li", "ol", "p", "pre", "section", "table",
        "tr", "ul",
    }  # fmt: skip
    INVISIBLE = {"script", "style", "template"}

    def __init__(self, *, keep_link_targets: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.keep_link_targets = keep_link_targets
        self.parts: list[str] = []
        self.links: list[tuple[str, int]] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.INVISIBLE:
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag):
        if tag in self.INVISIBLE:
            self.hidden = max(self.hidden - 1, 0)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            text = "".join(self.parts[start:])
            linkable = self.keep_link_targets and href.startswith(("http://", "https://"))
            if linkable and href not in text:
                self.parts.append(f" ({href})")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_to_text(value: str, *, keep_link_targets: bool = False, one_line: bool = False) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, paragraphs kept
    as blank lines (or everything on one line)."""
    if "<" not in value and "&" not in value:
        text = value
    else:
        parser = _TextExtractor(keep_link_targets=keep_link_targets)
        parser.feed(value)
        parser.close()
        text = "".join(parser.parts)
    if one_line:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# wpautop's list of block-level tags.
_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section"
    r"|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
_PRE_BLOCK = re.compile(r"<pre\b.*?</pre>", re.IGNORECASE | re.DOTALL)
# The substitutions of WordPress's wpautop(), in its order.
_AUTOP_STEPS = [
    (re.compile(rf"(<{_BLOCKS}[\s/>])", re.I), r"\n\n\1"),  # blocks stand apart
    (re.compile(rf"(</{_BLOCKS}>)", re.I), r"\1\n\n"),
    # (here the text is cut into paragraphs at blank lines, each wrapped in <p>)
    (re.compile(r"<p>\s*</p>"), ""),
    (re.compile(r"<p>([^<]+)</(div|address|form)>", re.I), r"<p>\1</p></\2>"),
    (re.compile(rf"<p>\s*(</?{_BLOCKS}[^>]*>)\s*</p>", re.I), r"\1"),
    (re.compile(r"<p>(<li.+?)</p>", re.I), r"\1"),
    (re.compile(r"<p><blockquote([^>]*)>", re.I), r"<blockquote\1><p>"),
    (re.compile(r"</blockquote></p>", re.I), r"</p></blockquote>"),
    (re.compile(rf"<p>\s*(</?{_BLOCKS}[^>]*>)", re.I), r"\1"),
    (re.compile(rf"(</?{_BLOCKS}[^>]*>)\s*</p>", re.I), r"\1"),
    (re.compile(r"(?<!<br>)\s*\n"), "<br>\n"),  # remaining single newlines are line breaks
    (re.compile(rf"(</?{_BLOCKS}[^>]*>)\s*<br>", re.I), r"\1"),
    (re.compile(r"<br>(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", re.I), r"\1"),
]


def wordpress_paragraphs(content: str) -> str:
    """WordPress's `wpautop`, in short: classic-editor posts separate paragraphs by blank
    lines and leave it to WordPress to add <p> and <br> when showing them. Block-editor
    content (with <!-- wp: --> markers) carries its own markup and is left alone."""
    if not content.strip() or "<!-- wp:" in content:
        return content
    preformatted: list[str] = []

    def keep(match: re.Match) -> str:
        preformatted.append(match.group(0))
        return f"<pre>\x00{len(preformatted) - 1}\x00</pre>"

    text = content.replace("\r\n", "\n").replace("\r", "\n")
    text = _PRE_BLOCK.sub(keep, text)
    text = re.sub(r"<[^>]*>", lambda m: m.group(0).replace("\n", " "), text)  # within tags
    text = _AUTOP_STEPS[0][0].sub(_AUTOP_STEPS[0][1], text)
    text = _AUTOP_STEPS[1][0].sub(_AUTOP_STEPS[1][1], text)
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]
    text = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    for pattern, replacement in _AUTOP_STEPS[2:]:
        text = pattern.sub(replacement, text)
    return re.sub(r"<pre>\x00(\d+)\x00</pre>", lambda m: preformatted[int(m.group(1))], text)


def _slug_base(value: str, *, fallback: str) -> str:
    # WordPress percent-encodes non-ASCII slugs; our URLs take ASCII slugs only.
    return slugify(unquote(value)) or slugify(value) or fallback


def _suffixed(base: str, n: int, max_length: int) -> str:
    if n == 1:
        return base[:max_length].rstrip("-") or base[:max_length]
    suffix = f"-{n}"
    return base[: max_length - len(suffix)].rstrip("-") + suffix


def unique_slug(base: str, *, is_taken: Callable[[str], bool], max_length: int) -> str:
    """`base`, or `base-2`, `base-3`... whichever is free, as WordPress does. `is_taken`
    must not count the row's own slug: then importing again finds the same slug."""
    n = 1
    while is_taken(candidate := _suffixed(base, n, max_length)):
        n += 1
    return candidate


def wordpress_login(value: str) -> str:
    """A login as WordPress's `sanitize_user(..., strict=True)` leaves it, which is what
    its own importer matches <dc:creator> on (so a stray ">" in an export is harmless)."""
    value = re.sub(r"<[^>]*>|&[a-z0-9#]+;", "", value, flags=re.IGNORECASE)
    value = re.sub(r"[^a-z0-9 _.@-]", "", value, flags=re.IGNORECASE)
    return " ".join(value.split())[:60]


def _safe_url(value: str) -> str:
    value = value.strip()
    if len(value) > 200 or not re.match(r"^https?://[^\s]+$", value, re.IGNORECASE):
        return ""  # not shown as a link to readers: only http(s), and it must fit
    return value


def _ip_or_none(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def tree_depths(parents: dict, *, outside: Callable | None = None) -> dict:
    """Depth (0 at the top) of every node of a loop-free {node: parent or None} mapping;
    `outside(parent)` gives the depth of a parent that is not a node. Iterative: imported
    threads can be deeper than Python's recursion limit."""
    depths: dict = {}
    for start in parents:
        path, node = [], start
        while node in parents and node not in depths:
            path.append(node)
            node = parents[node]
        if node is None:
            depth = -1
        elif node in depths:
            depth = depths[node]
        else:  # a parent that is not one of the nodes
            depth = outside(node)
        for current in reversed(path):
            depth += 1
            depths[current] = depth
    return depths


# ---------------------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------------------

KINDS = ("categories", "tags", "authors", "articles", "old slugs", "comments")
OUTCOMES = ("created", "updated", "unchanged", "skipped")


@dataclass
class ImportSummary:
    counts: dict[str, Counter] = field(default_factory=lambda: {kind: Counter() for kind in KINDS})
    # Items that are not posts (page, attachment, nav_menu_item...), by post type.
    skipped_post_types: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        self.counts[kind][outcome] += n

    def table(self) -> str:
        width = max(len(kind) for kind in (*KINDS, "other items"))
        lines = [f"{'':<{width}}" + "".join(f"{o:>11}" for o in OUTCOMES)]
        for kind in KINDS:
            lines.append(
                f"{kind:<{width}}" + "".join(f"{self.counts[kind][o]:>11}" for o in OUTCOMES)
            )
        skipped = sum(self.skipped_post_types.values())
        lines.append(f"{'other items':<{width}}" + f"{0:>11}" * 3 + f"{skipped:>11}")
        if self.skipped_post_types:
            kinds = ", ".join(f"{n} {t}" for t, n in sorted(self.skipped_post_types.items()))
            lines.append(f"Other items skipped by post type: {kinds}.")
        if self.notes:
            lines.append("Notes:")
            lines += [f"  {note}: {n}" for note, n in sorted(self.notes.items())]
        return "\n".join(lines)


class WordPressImporter:
    """Creates or updates rows from WXR records; one instance per import.

    Channel records (authors, categories, tags) are collected until the first item,
    because WordPress names a category's parent by nicename and may list a child before
    its parent; they are then written in one go, parents first.
    """

    def __init__(self, summary: ImportSummary | None = None) -> None:
        self.summary = summary or ImportSummary()
        self._pending_authors: list[WxrAuthor] = []
        self._pending_categories: list[WxrCategory] = []
        self._pending_tags: list[WxrTag] = []
        self._terms_written = False
        # nicename/login → (id, ...) for the records of this file.
        self.category_by_nicename: dict[str, tuple[int, int]] = {}  # → (id, depth)
        self.tag_by_slug: dict[str, int] = {}
        self.author_by_login: dict[str, int] = {}
        self._recount_article_ids: set[int] = set()
        self._now = timezone.now()

    # -- records ---------------------------------------------------------------------

    def add(self, record: WxrRecord) -> None:
        if isinstance(record, WxrPost):
            self._write_terms()
            self._import_post(record)
        elif isinstance(record, WxrCategory):
            self._pending_categories.append(record)
        elif isinstance(record, WxrTag):
            self._pending_tags.append(record)
        elif isinstance(record, WxrAuthor):
            self._pending_authors.append(record)
        if self._terms_written and not isinstance(record, WxrPost):
            # WordPress writes every term before the first item; a straggler is
            # written at once (posts read earlier could not refer to it).
            self._terms_written = False
            self._write_terms()

    def finish(self) -> ImportSummary:
        self._write_terms()
        self._recount_comments()
        return self.summary

    # -- authors, categories, tags -------------------------------------------------------

    def _write_terms(self) -> None:
        if self._terms_written:
            return
        self._terms_written = True
        self._import_authors(self._pending_authors)
        self._import_categories(self._pending_categories)
        self._import_tags(self._pending_tags)
        self._pending_authors, self._pending_categories, self._pending_tags = [], [], []

    def _import_authors(self, records: list[WxrAuthor]) -> None:
        by_login: dict[str, WxrAuthor] = {}
        for record in records:
            login = wordpress_login(record.login)
            if not login:
                self.summary.count("authors", "skipped")
                continue
            by_login[login] = record
        existing = {
            a.wordpress_login: a for a in Author.objects.filter(wordpress_login__in=by_login)
        }
        for login, record in by_login.items():
            self._upsert_author(
                login,
                name=html.unescape(record.display_name or record.login)[:150],
                email=record.email.lower()[:254],
                existing=existing.get(login),
            )

    def _upsert_author(self, login: str, *, name: str, email: str, existing: Author | None):
        if existing is None:
            slug = unique_slug(
                _slug_base(login, fallback="author"),
                is_taken=lambda s: Author.objects.filter(slug=s).exists(),
                max_length=150,
            )
            author = Author.objects.create(name=name, slug=slug, email=email, wordpress_login=login)
            self.summary.count("authors", "created")
        else:
            author = existing
            if (author.name, author.email) != (name, email):
                author.name, author.email = name, email
                author.save(update_fields=["name", "email", "updated_at"])
                self.summary.count("authors", "updated")
            else:
                self.summary.count("authors", "unchanged")
        self.author_by_login[login] = author.pk
        return author.pk

    def _author_id(self, creator: str) -> int | None:
        login = wordpress_login(creator)
        if not login:
            return None
        if login not in self.author_by_login:
            # Older exports name authors only in <dc:creator>: the login is the byline.
            existing = Author.objects.filter(wordpress_login=login).order_by().first()
            self._upsert_author(
                login, name=(existing.name if existing else login[:150]),
                email=(existing.email if existing else ""), existing=existing,
            )  # fmt: skip
        return self.author_by_login[login]

    def _import_categories(self, records: list[WxrCategory]) -> None:
        by_nicename: dict[str, WxrCategory] = {}
        for record in records:
            if record.term_id is None or not record.nicename:
                self.summary.count("categories", "skipped")
                continue
            by_nicename[record.nicename] = record
        parents = self._category_parents(by_nicename)
        # A parent outside this batch was written earlier in this import.
        depths = tree_depths(
            parents, outside=lambda nicename: self.category_by_nicename[nicename][1]
        )

        existing = {
            c.wordpress_id: c
            for c in Category.objects.filter(
                wordpress_id__in=[r.term_id for r in by_nicename.values()]
            )
        }
        taken = set(Category.objects.values_list("slug", flat=True))
        # Parents first, so each child's tree path is computed from its final parent.
        for nicename in sorted(by_nicename, key=depths.__getitem__):
            record = by_nicename[nicename]
            category = existing.get(record.term_id)
            if category is not None:
                taken.discard(category.slug)
            parent_nicename = parents[nicename]
            values = {
                "name": html.unescape(record.name or nicename)[:100],
                "slug": unique_slug(
                    _slug_base(nicename, fallback=f"category-{record.term_id}"),
                    is_taken=taken.__contains__,
                    max_length=100,
                ),
                "description": html.unescape(record.description),
                "parent_id": (
                    self.category_by_nicename[parent_nicename][0] if parent_nicename else None
                ),
            }
            if category is None:
                category = Category(wordpress_id=record.term_id, **values)
                category.save()
                self.summary.count("categories", "created")
            elif any(getattr(category, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(category, key, value)
                category.save()  # rewrites the tree paths of its descendants too
                self.summary.count("categories", "updated")
            else:
                self.summary.count("categories", "unchanged")
            taken.add(category.slug)
            self.category_by_nicename[nicename] = (category.pk, depths[nicename])

    def _category_parents(self, by_nicename: dict[str, WxrCategory]) -> dict[str, str | None]:
        """Each category's parent nicename, resolved once every category is known. A
        parent missing from the file, or a loop of parents, makes a top-level category."""
        parents: dict[str, str | None] = {}
        for nicename, record in by_nicename.items():
            parent = record.parent or None
            if parent == nicename or (
                parent is not None
                and parent not in by_nicename
                and parent not in self.category_by_nicename
            ):
                self.summary.notes["category whose parent is not in the file (made top-level)"] += 1
                parent = None
            parents[nicename] = parent
        for start in parents:
            seen, node = set(), start
            while node in parents and node not in seen:
                seen.add(node)
                node = parents[node]
            if node in seen:  # came back to a category already on the path: a loop
                parents[node] = None
                self.summary.notes["loop of parent categories broken"] += 1
        return parents

    def _import_tags(self, records: list[WxrTag]) -> None:
        by_slug: dict[str, WxrTag] = {}
        for record in records:
            if record.term_id is None or not record.slug:
                self.summary.count("tags", "skipped")
                continue
            by_slug[record.slug] = record
        existing = {
            t.wordpress_id: t
            for t in Tag.objects.filter(wordpress_id__in=[r.term_id for r in by_slug.values()])
        }
        taken = set(Tag.objects.values_list("slug", flat=True))
        to_create, to_update = [], []
        for nicename, record in by_slug.items():
            tag = existing.get(record.term_id)
            if tag is not None:
                taken.discard(tag.slug)
            slug = unique_slug(
                _slug_base(nicename, fallback=f"tag-{record.term_id}"),
                is_taken=taken.__contains__,
                max_length=100,
            )
            name = html.unescape(record.name or nicename)[:100]
            if tag is None:
                tag = Tag(wordpress_id=record.term_id, name=name, slug=slug)
                to_create.append(tag)
            elif (tag.name, tag.slug) != (name, slug):
                tag.name, tag.slug, tag.updated_at = name, slug, self._now
                to_update.append(tag)
            else:
                self.summary.count("tags", "unchanged")
            taken.add(slug)
        Tag.objects.bulk_create(to_create, batch_size=500)
        Tag.objects.bulk_update(to_update, ["name", "slug", "updated_at"], batch_size=500)
        self.summary.count("tags", "created", len(to_create))
        self.summary.count("tags", "updated", len(to_update))
        # bulk_create sets primary keys on PostgreSQL and SQLite >= 3.35, but look the
        # ids up anyway so every backend Django supports works.
        term_ids = {r.term_id: nicename for nicename, r in by_slug.items()}
        for pk, term_id in Tag.objects.filter(wordpress_id__in=term_ids).values_list(
            "pk", "wordpress_id"
        ):
            self.tag_by_slug[term_ids[term_id]] = pk

    # -- posts -------------------------------------------------------------------------

    def _import_post(self, post: WxrPost) -> None:
        if post.post_type != "post":
            self.summary.skipped_post_types[post.post_type or "(no type)"] += 1
            self.summary.count("comments", "skipped", len(post.comments))
            return
        if post.post_id is None or post.status == "auto-draft":
            # An auto-draft is an editor window opened and never saved.
            self.summary.count("articles", "skipped")
            self.summary.count("comments", "skipped", len(post.comments))
            return
        article = self._upsert_article(post)
        self._import_old_slugs(article, post.old_slugs)
        self._import_comments(article, post)

    def _article_values(self, post: WxrPost, existing: Article | None) -> dict:
        status = POST_STATUSES.get(post.status, Article.Status.DRAFT)
        if post.password and status in (Article.Status.PUBLISHED, Article.Status.SCHEDULED):
            # We have no password protection: publishing would show what WordPress hid.
            status = Article.Status.DRAFT
            self.summary.notes["password-protected post imported as a draft"] += 1
        published_at = wordpress_datetime(post.post_date_gmt)
        if published_at is None and status not in UNDATED_STATUSES:
            # GMT "0000-00-00" with a local date: the site's offset is unknown, take UTC.
            published_at = wordpress_datetime(post.post_date) or _rfc822_datetime(post.pub_date)
        if published_at is None and existing is not None and status == existing.status:
            published_at = existing.published_at  # what save() stamped the first time
        if status == Article.Status.SCHEDULED and published_at is None:
            status = Article.Status.DRAFT  # nothing to schedule it for

        category_id = None
        categories = [
            found
            for domain, nicename, name in post.terms
            if domain == "category" and (found := self._category_ref(nicename, name))
        ]
        if categories:
            # The most specific (deepest) category; the first listed on a tie. An
            # article is listed under every ancestor of its category as well.
            category_id = max(categories, key=lambda c: c[1])[0]
            if len(categories) > 1:
                self.summary.notes["further category of a post not kept"] += len(categories) - 1
        return {
            "title": html_to_text(post.title, one_line=True)[:255],
            "excerpt": html_to_text(post.excerpt),
            # Compared with what save() stores (sanitized), so unchanged posts stay unsaved.
            "body": sanitize_article_html(wordpress_paragraphs(post.content)),
            "category_id": category_id,
            "author_id": self._author_id(post.creator),
            "status": status,
            "published_at": published_at,
            "comments_enabled": post.comment_status != "closed",
        }

    def _category_ref(self, nicename: str, name: str) -> tuple[int, int] | None:
        """(id, depth) of a category a post names. One the file does not declare is
        matched on its slug, or created at the top level, as WordPress's importer does."""
        if nicename not in self.category_by_nicename:
            slug = _slug_base(nicename, fallback="")
            if not slug:
                return None
            self.summary.notes["category named by a post but not declared in the file"] += 1
            category = Category.objects.filter(slug=slug).order_by().first()
            if category is None:
                category = Category(name=html.unescape(name or nicename)[:100], slug=slug)
                category.save()
                self.summary.count("categories", "created")
            else:
                self.summary.count("categories", "unchanged")
            self.category_by_nicename[nicename] = (category.pk, category.depth)
        return self.category_by_nicename[nicename]

    def _tag_ref(self, nicename: str, name: str) -> int | None:
        """Id of a tag a post names; one the file does not declare is matched on its
        slug, or created, as WordPress's importer does."""
        if nicename not in self.tag_by_slug:
            slug = _slug_base(nicename, fallback="")
            if not slug:
                return None
            self.summary.notes["tag named by a post but not declared in the file"] += 1
            tag = Tag.objects.filter(slug=slug).order_by().first()
            if tag is None:
                tag = Tag.objects.create(name=html.unescape(name or nicename)[:100], slug=slug)
                self.summary.count("tags", "created")
            else:
                self.summary.count("tags", "unchanged")
            self.tag_by_slug[nicename] = tag.pk
        return self.tag_by_slug[nicename]

    def _upsert_article(self, post: WxrPost) -> Article:
        article = Article.objects.filter(wordpress_id=post.post_id).order_by().first()
        values = self._article_values(post, article)
        base = _slug_base(post.post_name, fallback="")
        if not base:
            base = _slug_base(values["title"], fallback=f"post-{post.post_id}")
        values["slug"] = unique_slug(
            base, is_taken=self._article_slug_taken(base, article), max_length=255
        )
        if article is None:
            article = Article(wordpress_id=post.post_id, **values)
            article._change_reason = "Imported from WordPress"
            article.save()
            outcome = "created"
        elif any(getattr(article, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(article, key, value)
            article._change_reason = "Updated from WordPress"
            article.save()  # a new history record only for a real change
            outcome = "updated"
        else:
            outcome = "unchanged"
        tag_ids = {
            found
            for domain, nicename, name in post.terms
            if domain == "post_tag" and (found := self._tag_ref(nicename, name))
        }
        if outcome == "created":
            Article.tags.through.objects.bulk_create(
                Article.tags.through(article_id=article.pk, tag_id=tag_id) for tag_id in tag_ids
            )
        elif tag_ids != set(article.tags.values_list("pk", flat=True)):
            article.tags.set(tag_ids)
            outcome = "updated"
        self.summary.count("articles", outcome)
        return article

    @staticmethod
    def _article_slug_taken(base: str, article: Article | None) -> Callable[[str], bool]:
        """Whether a slug is another article's, or an old slug redirecting to another
        article. The first question is two indexed lookups; only when `base` is taken
        are all the `base-N` siblings loaded, once, rather than probed one by one."""
        own_pk = article.pk if article else None
        others = Article.objects.exclude(pk=own_pk)
        redirects = ArticleSlugRedirect.objects.exclude(article_id=own_pk)
        siblings: set[str] | None = None

        def is_taken(slug: str) -> bool:
            nonlocal siblings
            if article is not None and slug == article.slug:
                return False  # slugs are unique, and save() dropped any redirect from it
            if siblings is None:
                if not (
                    others.filter(slug=slug).exists() or redirects.filter(old_slug=slug).exists()
                ):
                    return False
                prefix = base[:200]  # what every candidate starts with, suffix or not
                siblings = set(
                    others.filter(slug__startswith=prefix).values_list("slug", flat=True)
                ) | set(
                    redirects.filter(old_slug__startswith=prefix).values_list("old_slug", flat=True)
                )
            return slug in siblings

        return is_taken

    def _import_old_slugs(self, article: Article, old_slugs: list[str]) -> None:
        for value in dict.fromkeys(old_slugs):  # unique, in order
            slug = _slug_base(value, fallback="")[:255]
            redirect = ArticleSlugRedirect.objects.filter(old_slug=slug).first() if slug else None
            if redirect is not None and redirect.article_id == article.pk:
                self.summary.count("old slugs", "unchanged")
            elif (
                not slug
                or redirect is not None  # another article's old slug already
                or Article.objects.filter(slug=slug).exists()  # a live slug never redirects
            ):
                self.summary.count("old slugs", "skipped")
            else:
                ArticleSlugRedirect.objects.create(old_slug=slug, article=article)
                self.summary.count("old slugs", "created")

    # -- comments ------------------------------------------------------------------------

    def _import_comments(self, article: Article, post: WxrPost) -> None:
        records: dict[int, WxrComment] = {}
        for record in post.comments:
            if record.type not in READER_COMMENT_TYPES or record.comment_id is None:
                # Pingbacks and trackbacks are notices from other sites, not readers.
                self.summary.count("comments", "skipped")
            elif record.comment_id in records:
                self.summary.count("comments", "skipped")  # the same id twice: first wins
            else:
                records[record.comment_id] = record
        existing = {c.wordpress_id: c for c in Comment.objects.filter(wordpress_id__in=records)}
        for comment_id, comment in list(existing.items()):
            if comment.article_id != article.pk:
                # The id is taken by a comment on another article: that one stays. (WordPress
                # ids are unique within a site, so this means two sites' exports were mixed.)
                del records[comment_id], existing[comment_id]
                self.summary.count("comments", "skipped")
        if not records:
            return
        parents = self._comment_parents(records)
        depths = tree_depths(parents)

        pk_of = {wordpress_id: c.pk for wordpress_id, c in existing.items()}
        by_depth: dict[int, list[int]] = {}
        for comment_id in records:
            by_depth.setdefault(depths[comment_id], []).append(comment_id)
        # Level by level, so every parent has a primary key before its replies are written.
        changed = False
        listed: dict[int, bool] = {}  # approved with every ancestor approved
        for depth in sorted(by_depth):
            to_create, to_update = [], []
            for comment_id in by_depth[depth]:
                record, comment = records[comment_id], existing.get(comment_id)
                parent = parents[comment_id]
                values = self._comment_values(record, article)
                values["parent_id"] = pk_of[parent] if parent is not None else None
                listed[comment_id] = values["status"] == Comment.Status.APPROVED and (
                    parent is None or listed[parent]
                )
                if comment is None:
                    to_create.append(
                        Comment(
                            wordpress_id=comment_id,
                            depth=depth,
                            is_listed=listed[comment_id],
                            **values,
                        )
                    )
                elif comment.moderated_at is None and comment.status != values["status"]:
                    # Only a status moderated in WordPress since the last import comes
                    # over, and only until someone moderates the comment here. Names,
                    # addresses, IPs and texts are never rewritten: a reader's erasure or
                    # the metadata purge must not be undone by importing again.
                    comment.status = values["status"]
                    to_update.append(comment)
                else:
                    self.summary.count("comments", "unchanged")
            Comment.objects.bulk_create(to_create, batch_size=500)
            Comment.objects.bulk_update(to_update, ["status"], batch_size=500)
            self.summary.count("comments", "created", len(to_create))
            self.summary.count("comments", "updated", len(to_update))
            changed = changed or bool(to_create or to_update)
            if to_create:
                if any(c.pk is None for c in to_create):  # a backend without RETURNING
                    ids = [c.wordpress_id for c in to_create]
                    pk_of.update(
                        Comment.objects.filter(wordpress_id__in=ids).values_list(
                            "wordpress_id", "pk"
                        )
                    )
                else:
                    pk_of.update((c.wordpress_id, c.pk) for c in to_create)
        if changed:  # otherwise the threads and the count are as the last import left them
            self._settle_comments(article)

    def _comment_parents(self, records: dict[int, WxrComment]) -> dict[int, int | None]:
        """Each comment's parent id within the same post. A parent that is not there (on
        another post, skipped, or deleted) makes a top-level comment; so does a loop."""
        parents: dict[int, int | None] = {}
        for comment_id, record in records.items():
            parent = record.parent_id
            if parent is not None and (parent not in records or parent == comment_id):
                self.summary.notes["comment whose parent is missing (made top-level)"] += 1
                parent = None
            parents[comment_id] = parent
        for start in parents:
            seen, node = set(), start
            while node is not None and node not in seen:
                seen.add(node)
                node = parents[node]
            if node is not None:
                parents[node] = None
                self.summary.notes["loop of parent comments broken"] += 1
        return parents

    def _comment_values(self, record: WxrComment, article: Article) -> dict:
        submitted_at = (
            wordpress_datetime(record.date_gmt)
            or wordpress_datetime(record.date)
            or article.published_at
            or self._now
        )
        return {
            "article_id": article.pk,
            "author_name": html_to_text(record.author, one_line=True)[:100] or ANONYMOUS,
            # Private, like every reader's address; lower-cased as the services store it.
            "author_email": record.author_email.strip().lower()[:254],
            "author_url": _safe_url(record.author_url),
            "body": html_to_text(record.content, keep_link_targets=True),
            "status": COMMENT_STATUSES.get(record.approved, Comment.Status.PENDING),
            "submitted_at": submitted_at,
            "ip_address": _ip_or_none(record.author_ip),
        }

    def _settle_comments(self, article: Article) -> None:
        """Recompute depth and `is_listed` for every comment of the article (readers'
        replies to imported comments included), and remember the article for a recount
        when its comment_count is off."""
        rows = list(
            Comment.objects.filter(article_id=article.pk).values_list(
                "pk", "parent_id", "status", "depth", "is_listed"
            )
        )
        nodes = {pk: (parent_id, status) for pk, parent_id, status, _, _ in rows}
        derived: dict[int, tuple[int, bool]] = {}

        def settle(pk: int) -> tuple[int, bool]:
            # Iterative: imported threads can be deeper than Python's recursion limit.
            path = []
            node: int | None = pk
            while node is not None and node not in derived and node not in path:
                path.append(node)
                parent_id = nodes[node][0]
                node = parent_id if parent_id in nodes else None
            depth, listed = derived.get(node, (-1, True)) if node is not None else (-1, True)
            for current in reversed(path):
                depth, listed = depth + 1, listed and nodes[current][1] == Comment.Status.APPROVED
                derived[current] = (depth, listed)
            return derived[pk]

        changes: dict[tuple[int, bool], list[int]] = {}
        approved = 0
        for pk, _, status, depth, is_listed in rows:
            approved += status == Comment.Status.APPROVED
            wanted = settle(pk)
            if wanted != (depth, is_listed):
                changes.setdefault(wanted, []).append(pk)
        for (depth, listed), pks in changes.items():
            Comment.objects.filter(pk__in=pks).update(depth=depth, is_listed=listed)
        if approved != article.comment_count:
            self._recount_article_ids.add(article.pk)

    def _recount_comments(self) -> None:
        ids = sorted(self._recount_article_ids)
        for start in range(0, len(ids), 500):
            comment_counts_refresh(article_ids=ids[start : start + 500])


def wordpress_import(
    *,
    path: Path | str,
    progress: Callable[[int, int], None] | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Import a WXR file, all or nothing, in one transaction.

    `progress(bytes_read, total_bytes)` is called as the file is read. Raises WxrError
    (nothing written) when the file is missing, not well-formed or not a WordPress
    export. With `dry_run` everything is done and then rolled back.
    """
    path = Path(path)
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        raise WxrError(f"{path}: no such file") from None
    except OSError as error:
        raise WxrError(f"{path}: cannot be read ({error.strerror or error})") from None
    with stream:
        total = path.stat().st_size
        with transaction.atomic():
            importer = WordPressImporter()
            for record in read_wxr(stream, label=str(path)):
                importer.add(record)
                if progress is not None:
                    progress(stream.tell(), total)
            summary = importer.finish()
            # Tags, article tags and comments were bulk-written (no save signals): the
            # public response cache (articles/cache.py) forgets everything, once, when
            # the import commits.
            bulk_content_changed.send(sender=WordPressImporter)
            if dry_run:
                transaction.set_rollback(True)
        if progress is not None:
            progress(total, total)
    return summary
