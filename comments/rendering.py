"""Comment bodies are plain text: escaped on output, bare URLs turned into links.

Only http(s) URLs and `www.` addresses become links, each with rel="nofollow ugc" (the
rel Google asks for on user-generated links). Everything else, markup included, is
shown as the text it is. Blank lines separate paragraphs; single newlines become <br>.
"""

import re
from html import escape

# A URL runs until whitespace or a character that cannot end one; trailing punctuation
# (a full stop after a link) is left out of the link.
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,:;!?)]}'\""
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _linkable(url: str) -> str | None:
    """The part of a URL match that becomes a link (trailing punctuation left out), or
    None when only a bare scheme or "www" is left."""
    stripped = url.rstrip(_TRAILING)
    return stripped if _URL.fullmatch(stripped) else None


def _link(url: str) -> str:
    href = url if url.lower().startswith(("http://", "https://")) else f"http://{url}"
    return f'<a href="{escape(href)}" rel="nofollow ugc">{escape(url)}</a>'


def linkify(text: str) -> str:
    """`text` escaped, its URLs as links (rel="nofollow ugc"): one line's worth of a body."""
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        stripped = _linkable(match.group(0))
        if stripped is None:
            continue
        parts.append(escape(text[position : match.start()]))
        parts.append(_link(stripped))
        position = match.start() + len(stripped)
    parts.append(escape(text[position:]))
    return "".join(parts)


def render_comment_body(text: str) -> str:
    """HTML for a plain-text comment body: escaped, linkified, in paragraphs."""
    normalized = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not normalized:
        return ""
    paragraphs = _PARAGRAPH_BREAK.split(normalized)
    return "".join(
        "<p>" + linkify(paragraph.strip()).replace("\n", "<br>") + "</p>"
        for paragraph in paragraphs
    )


def count_links(text: str) -> int:
    """Links as the moderation step counts them: the URLs render_comment_body would link."""
    return sum(1 for match in _URL.finditer(text) if _linkable(match.group(0)))
