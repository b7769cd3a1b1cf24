"""Public URLs of content, for feeds, sitemaps and emails.

The API serves JSON; readers read on a frontend (a Next.js site, an app). When
`SITE_URL` and the `*_PATH_TEMPLATE` settings describe that frontend, links point
there; by default they point at the API resources on this server.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

_SLUG = "(?P<slug>[-a-zA-Z0-9_]+)"


def absolute(path: str) -> str:
    """`path` on the public site (SITE_URL, no trailing slash)."""
    return settings.SITE_URL.rstrip("/") + path


def article_path(article) -> str:
    template = settings.ARTICLE_PATH_TEMPLATE
    if template:
        return template.format(slug=article.slug)
    return reverse("api:article-detail", kwargs={"slug": article.slug})


def article_slug_at(url_or_path: str) -> str | None:
    """The slug of the article whose page `article_path` gives at this path (or full
    URL: its scheme, host, query and fragment are ignored), or None. A page path
    without its template's trailing slash matches too, as frontends often drop it."""
    template = settings.ARTICLE_PATH_TEMPLATE or reverse("api:article-list") + "{slug}/"
    before, _, after = template.partition("{slug}")
    pattern = re.escape(before) + _SLUG + re.escape(after.rstrip("/")) + "/?"
    found = re.fullmatch(pattern, urlsplit(url_or_path).path)
    return found["slug"] if found else None


def category_path(category) -> str:
    template = settings.CATEGORY_PATH_TEMPLATE
    if template:
        return template.format(slug=category.slug, path="/".join(category.path))
    return reverse("api:category-detail", kwargs={"slug": category.slug})


def comment_path(comment, article) -> str:
    return f"{article_path(article)}#comment-{comment.pk}"
