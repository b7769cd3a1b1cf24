"""Turning WordPress values into ours: statuses, dates, slugs, logins, HTML, a reader's
comment, and the category tree (parents resolved, depths).

Pure functions of the export's text (no database), each mirroring what WordPress itself
does where we follow it (`wpautop`, `sanitize_user`, slug suffixes). See
docs/wordpress-import.md for the decisions behind them.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Container
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import unquote

from django.utils.text import slugify

from articles.models import Article
from articles.wordpress.reading import WxrCategory, WxrComment
from comments.matching import normalize_email
from comments.models import Comment
from comments.threads import ImportedComment

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


def post_published_at(
    *, date_gmt: str, pub_date: str, date: str, undated: bool
) -> tuple[datetime | None, str]:
    """A post's publication date and where it came from ("" when none): `wp:post_date_gmt`,
    else `pubDate` (RFC 822, with its offset), else `wp:post_date` read as UTC (the site's
    time zone is not in the export). `undated`: a draft or a post in review, which gets no
    date where WordPress wrote "0000-00-00 00:00:00" (never dated) and none from the
    site-local `wp:post_date`, which is only the time a draft was last saved."""
    if published_at := wordpress_datetime(date_gmt):
        return published_at, "wp:post_date_gmt"
    if undated and date_gmt.startswith("0000-00-00"):
        return None, ""
    if published_at := rfc822_datetime(pub_date):
        return published_at, "pubDate"
    if not undated and (published_at := wordpress_datetime(date)):
        return published_at, "wp:post_date"
    return None, ""


def rfc822_datetime(value: str) -> datetime | None:
    """An RSS <pubDate> as an aware UTC datetime; None for placeholders or junk."""
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


def slug_base(value: str, *, fallback: str) -> str:
    """An ASCII slug from a WordPress slug or title, or `fallback` when nothing is left.
    WordPress percent-encodes non-ASCII slugs; our URLs take ASCII slugs only."""
    return slugify(unquote(value)) or slugify(value) or fallback


# Letters that Unicode does not decompose into a base letter and an accent, as
# WordPress's remove_accents() writes them in ASCII.
_LATIN_LETTERS = str.maketrans(
    {
        "ß": "s", "Æ": "AE", "æ": "ae", "Ð": "D", "ð": "d", "Ø": "O", "ø": "o", "Þ": "TH",
        "þ": "th", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "ĸ": "k", "Ł": "L",
        "ł": "l", "Ŋ": "N", "ŋ": "n", "Œ": "OE", "œ": "oe", "Ŧ": "T", "ŧ": "t", "×": "x",
    }
)  # fmt: skip


def sanitize_title(value: str) -> str:
    """The slug WordPress makes of a title or a term name (`sanitize_title()`, as it
    saves one): markup dropped, entities decoded, accents removed, lower case; spaces,
    dots, slashes and dashes become hyphens, other characters are dropped. Letters with
    no ASCII form (Greek, Cyrillic...) are dropped too, where WordPress percent-encodes
    them: our slugs are ASCII. "" when nothing is left."""
    text = html_to_text(value, one_line=True).translate(_LATIN_LETTERS)
    text = re.sub(r"[\s./\u2013\u2014]+", "-", text)  # en and em dashes too
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9_-]", "", text)
    return re.sub(r"-{2,}", "-", text).strip("-")


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


def safe_url(value: str) -> str:
    """A commenter's website as we show it, or "" when it is not one we would link to."""
    value = value.strip()
    if len(value) > 200 or not re.match(r"^https?://[^\s]+$", value, re.IGNORECASE):
        return ""  # not shown as a link to readers: only http(s), and it must fit
    return value


def ip_or_none(value: str) -> str | None:
    """A commenter's IP address, normalized; None when it is not one."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def imported_comment(
    *, record: WxrComment, wordpress_id: int, undated: datetime
) -> ImportedComment:
    """A reader's comment as the comments app imports it, keyed by `wordpress_id` (its
    comment_id, or one derived: identity.py); `undated` stands in for a comment without a
    date (the post's publication, or the import's time)."""
    return ImportedComment(
        wordpress_id=wordpress_id,
        parent_wordpress_id=record.parent_id,
        author_name=html_to_text(record.author, one_line=True)[:100] or ANONYMOUS,
        # Private, like every reader's address; lower-cased as the services store it.
        author_email=normalize_email(record.author_email)[:254],
        author_url=safe_url(record.author_url),
        body=html_to_text(record.content, keep_link_targets=True),
        status=COMMENT_STATUSES.get(record.approved, Comment.Status.PENDING),
        submitted_at=(
            wordpress_datetime(record.date_gmt) or wordpress_datetime(record.date) or undated
        ),
        ip_address=ip_or_none(record.author_ip),
    )


# The <category> domains a post's terms come in, by what they are here: WXR 1.0 wrote
# tags as domain="tag", and a <category> with no domain is a category by its name (RSS
# 2.0, and WXR 1.0's "backwards compatibility" copy of each category).
POST_TERM_KINDS = {"category": "category", "": "category", "post_tag": "tag", "tag": "tag"}


def post_term_kind(domain: str) -> str | None:
    """What a post's <category> element of this domain is: "category", "tag", or None
    for what the import leaves out (post formats, menus, custom taxonomies)."""
    return POST_TERM_KINDS.get(domain.strip())


# --- the category tree -------------------------------------------------------------------


def category_parents(
    *, records: dict[str, WxrCategory], known: Container[str]
) -> tuple[dict[str, str | None], Counter]:
    """Each category's parent nicename (`records` by nicename; `known`: the nicenames
    written earlier in this import), and notes on what was adapted. A parent missing from
    the file, or a loop of parents, makes a top-level category."""
    notes: Counter = Counter()
    parents: dict[str, str | None] = {}
    for nicename, record in records.items():
        parent = record.parent or None
        if parent == nicename or (
            parent is not None and parent not in records and parent not in known
        ):
            notes["category whose parent is not in the file (made top-level)"] += 1
            parent = None
        parents[nicename] = parent
    for start in parents:
        seen, node = set(), start
        while node in parents and node not in seen:
            seen.add(node)
            node = parents[node]
        if node in seen:  # came back to a category already on the path: a loop
            parents[node] = None
            notes["loop of parent categories broken"] += 1
    return parents, notes


def tree_depths(parents: dict, *, outside: Callable | None = None) -> dict:
    """Depth (0 at the top) of every node of a loop-free {node: parent or None} mapping;
    `outside(parent)` gives the depth of a parent that is not a node. Iterative: a tree
    from an export can be deeper than Python's recursion limit."""
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
