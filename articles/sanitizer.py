"""Article HTML sanitizing: editors' HTML is cut down to an allowlist with nh3 (Ammonia).

Scripts, styles, event-handler attributes and `javascript:`/`data:` URLs never survive;
the structure a story needs (headings, paragraphs, lists, links, images, quotes,
figures, code, tables) does.
"""

import re

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr",
    "u", "ul",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    # data-file: the picture's id in the media library (articles/images.py gives such a
    # picture its renditions as srcset/sizes on save).
    "img": {"src", "alt", "title", "width", "height", "loading", "srcset", "sizes", "data-file"},
    "q": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start", "reversed"},
}

ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Attributes holding a URL. nh3 checks the scheme of `href` and `src` itself but lets a
# `cite` through whatever it says (`<q cite="javascript:...">`, found by the property
# tests): every URL attribute is checked here as well.
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def _url_allowed(value: str) -> bool:
    # Browsers ignore tabs and newlines inside a scheme ("java\tscript:"): so do we.
    compact = re.sub(r"[\x00-\x20]", "", value)
    scheme = _SCHEME.match(compact)
    return scheme is None or scheme.group(1).lower() in ALLOWED_URL_SCHEMES


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute in URL_ATTRIBUTES and not _url_allowed(value):
        return None
    if attribute == "srcset":
        # "url 480w, url 960w": every candidate's URL is checked like a src.
        urls = [candidate.strip().split(" ", 1)[0] for candidate in value.split(",")]
        if not all(_url_allowed(url) for url in urls if url):
            return None
    if attribute == "data-file" and not value.isdigit():
        return None
    return value


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def sanitize_article_html(html: str) -> str:
    """Return `html` reduced to the allowlist. Idempotent: sanitizing twice changes nothing."""
    if not html:
        return ""
    cleaned = _clean(html)
    # nh3 can write out a tree that parsing HTML never builds: `<a><select><a>` loses the
    # <select> and leaves an <a> inside an <a>, which the next parse (a browser's, or ours
    # on the next save) turns into two siblings. Cleaning until nothing changes stores what
    # a browser will build, and keeps sanitizing idempotent (found by the property tests).
    for _ in range(3):
        again = _clean(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned
