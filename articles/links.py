"""Public URLs of content, for feeds, sitemaps and emails.

The API serves JSON; readers read on a frontend (a Next.js site, an app). When
`SITE_URL` and the `*_PATH_TEMPLATE` settings describe that frontend, links point
there; by default they point at the API resources on this server.
"""

from django.conf import settings
from django.urls import reverse


def absolute(path: str) -> str:
    """`path` on the public site (SITE_URL, no trailing slash)."""
    return settings.SITE_URL.rstrip("/") + path


def article_path(article) -> str:
    template = settings.ARTICLE_PATH_TEMPLATE
    if template:
        return template.format(slug=article.slug)
    return reverse("api:article-detail", kwargs={"slug": article.slug})


def category_path(category) -> str:
    template = settings.CATEGORY_PATH_TEMPLATE
    if template:
        return template.format(slug=category.slug, path="/".join(category.path))
    return reverse("api:category-detail", kwargs={"slug": category.slug})


def comment_path(comment, article) -> str:
    return f"{article_path(article)}#comment-{comment.pk}"
