"""Our rows in WordPress's shapes (the *view* context of WP_REST_*_Controller), and the
smaller *embed* context `_embed` uses.

What differs from WordPress, on purpose (docs/wordpress.md): no `author_avatar_urls` or
`avatar_urls` (WordPress builds them from an md5 of the email: a commenter's address
must not leave the server in any form); `author` of a comment is always 0 (accounts are
not public); `ping_status` is always closed; nothing is sticky; `meta` is empty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from django.conf import settings
from django.core.files.storage import default_storage

from articles import links
from articles.images import body_with_media_origin, image_of_columns
from articles.models import Article
from articles.wordpress import html_to_text
from comments.models import ModerationPolicy
from comments.rendering import render_comment_body
from comments.selectors import comments_open_for
from wordpress_api import dates

EXCERPT_WORDS = 55  # WordPress's excerpt_length
CURIES = [{"name": "wp", "href": "https://api.w.org/{rel}", "templated": True}]
MIME_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
}


@dataclass
class Site:
    """What every shape of one request needs: where the API and media are, the policy
    deciding comment_status, and the moment the answer is read."""

    api_root: str  # "https://host/wp-json/"
    media_origin: str  # "https://host" when MEDIA_URL is a path, else ""
    article_api_prefix: str  # our own article detail URL without the slug
    now: datetime
    _policy: ModerationPolicy | None = None
    _post_links: dict = field(default_factory=dict)

    @property
    def policy(self) -> ModerationPolicy:
        """Read when a post's comment_status is first shaped: terms, users, media and
        comments never need it."""
        if self._policy is None:
            self._policy = ModerationPolicy.load()
        return self._policy

    def route(self, path: str) -> str:
        return f"{self.api_root}wp/v2/{path}"

    def post_link(self, slug: str) -> str:
        if settings.ARTICLE_PATH_TEMPLATE:
            return links.absolute(settings.ARTICLE_PATH_TEMPLATE.format(slug=slug))
        return f"{self.article_api_prefix}{slug}/"

    def media_url(self, url: str) -> str:
        return self.media_origin + url if self.media_origin and url.startswith("/") else url


def _rendered(html: str) -> dict:
    return {"rendered": html}


def _excerpt_html(excerpt: str, body: str) -> str:
    if excerpt.strip():
        return f"<p>{escape(excerpt.strip())}</p>\n"
    words = html_to_text(body, one_line=True).split()
    if not words:
        return ""
    more = " [&hellip;]" if len(words) > EXCERPT_WORDS else ""
    return f"<p>{escape(' '.join(words[:EXCERPT_WORDS]))}{more}</p>\n"


def post_of(row: dict, *, tags: list[dict], site: Site) -> dict:
    """A post (view context) from a row of selectors.POST_COLUMNS (+ category__slug)
    and its tags ({"id", "slug"})."""
    pk, slug = row["id"], str(row["slug"])
    link = site.post_link(slug)
    self_url = site.route(f"posts/{pk}")
    open_now = comments_open_for(
        article=Article(comments_enabled=row["comments_enabled"], published_at=row["published_at"]),
        policy=site.policy,
        now=site.now,
    )
    category_ids = [row["category_id"]] if row["category_id"] else []
    classes = [f"post-{pk}", "post", "type-post", "status-publish", "format-standard"]
    if row["lead_image_id"]:
        classes.append("has-post-thumbnail")
    classes.append("hentry")
    if row.get("category__slug"):
        classes.append(f"category-{row['category__slug']}")
    classes += [f"tag-{tag['slug']}" for tag in tags]
    post_links = {
        "self": [{"href": self_url, "targetHints": {"allow": ["GET"]}}],
        "collection": [{"href": site.route("posts")}],
        "about": [{"href": site.route("types/post")}],
        "replies": [{"embeddable": True, "href": site.route(f"comments?post={pk}")}],
        "wp:attachment": [{"href": site.route(f"media?parent={pk}")}],
        "wp:term": [
            {
                "taxonomy": "category",
                "embeddable": True,
                "href": site.route(f"categories?post={pk}"),
            },
            {"taxonomy": "post_tag", "embeddable": True, "href": site.route(f"tags?post={pk}")},
        ],
        "curies": CURIES,
    }
    if row["author_id"]:
        post_links["author"] = [
            {"embeddable": True, "href": site.route(f"users/{row['author_id']}")}
        ]
    if row["lead_image_id"]:
        post_links["wp:featuredmedia"] = [
            {"embeddable": True, "href": site.route(f"media/{row['lead_image_id']}")}
        ]
    return {
        "id": pk,
        "date": dates.local(row["published_at"]),
        "date_gmt": dates.gmt(row["published_at"]),
        "guid": _rendered(link),
        "modified": dates.local(row["updated_at"]),
        "modified_gmt": dates.gmt(row["updated_at"]),
        "slug": slug,
        "status": "publish",
        "type": "post",
        "link": link,
        "title": _rendered(escape(str(row["title"]))),
        "content": {
            "rendered": body_with_media_origin(str(row["body"]), site.media_origin),
            "protected": False,
        },
        "excerpt": {
            "rendered": _excerpt_html(str(row["excerpt"]), str(row["body"])),
            "protected": False,
        },
        "author": row["author_id"] or 0,
        "featured_media": row["lead_image_id"] or 0,
        "comment_status": "open" if open_now else "closed",
        "ping_status": "closed",
        "sticky": False,
        "template": "",
        "format": "standard",
        "meta": [],
        "categories": category_ids,
        "tags": [tag["id"] for tag in tags],
        "class_list": classes,
        "_links": post_links,
    }


def term_of(row: dict, *, taxonomy: str, count: int, site: Site) -> dict:
    """A category (`taxonomy` "category", with `parent`) or a tag ("post_tag")."""
    pk = row["id"]
    base = "categories" if taxonomy == "category" else "tags"
    term = {
        "id": pk,
        "count": max(count, 0),
        "description": escape(str(row["description"])) if row.get("description") else "",
        "link": site.route(f"posts?{base}={pk}"),
        "name": escape(str(row["name"])),
        "slug": str(row["slug"]),
        "taxonomy": taxonomy,
    }
    term_links = {
        "self": [{"href": site.route(f"{base}/{pk}")}],
        "collection": [{"href": site.route(base)}],
        "about": [{"href": site.route(f"taxonomies/{taxonomy}")}],
        "wp:post_type": [{"href": site.route(f"posts?{base}={pk}")}],
        "curies": CURIES,
    }
    if taxonomy == "category":
        parent = row.get("parent_id") or 0
        term["parent"] = parent
        if parent:
            term_links["up"] = [{"embeddable": True, "href": site.route(f"categories/{parent}")}]
    return {**term, "meta": [], "_links": term_links}


def user_of(row: dict, *, site: Site) -> dict:
    """A byline as WordPress shows a user to the public: no login, email or avatar."""
    pk = row["id"]
    return {
        "id": pk,
        "name": str(row["name"]),
        "url": "",
        "description": escape(str(row["bio"])),
        "link": site.route(f"posts?author={pk}"),
        "slug": str(row["slug"]),
        "meta": [],
        "_links": {
            "self": [{"href": site.route(f"users/{pk}")}],
            "collection": [{"href": site.route("users")}],
        },
    }


def comment_of(row: dict, *, site: Site, status: str = "approved") -> dict:
    """A comment (view context) from a row of selectors.COMMENT_COLUMNS. No email, IP,
    user agent or avatar of any kind."""
    pk, post = row["id"], row["article_id"]
    parent = row["parent_id"] or 0
    comment_links = {
        "self": [{"href": site.route(f"comments/{pk}")}],
        "collection": [{"href": site.route("comments")}],
        "up": [{"embeddable": True, "post_type": "post", "href": site.route(f"posts/{post}")}],
    }
    if parent:
        comment_links["in-reply-to"] = [
            {"embeddable": True, "href": site.route(f"comments/{parent}")}
        ]
    return {
        "id": pk,
        "post": post,
        "parent": parent,
        "author": 0,
        "author_name": str(row["author_name"]),
        "author_url": str(row["author_url"]),
        "date": dates.local(row["submitted_at"]),
        "date_gmt": dates.gmt(row["submitted_at"]),
        "content": _rendered(render_comment_body(str(row["body"]))),
        "link": f"{site.post_link(str(row['article__slug']))}#comment-{pk}",
        "status": status,
        "type": "comment",
        "meta": [],
        "_links": comment_links,
    }


def media_of(row: dict, *, site: Site) -> dict:
    """A library picture as an attachment."""
    pk = row["id"]
    picture = image_of_columns(row)
    source_url = site.media_url(picture["url"])
    name = (row["file"] or str(row["source_url"])).rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    mime_type = MIME_TYPES.get(extension, "image/jpeg")
    sizes = {}
    for rendition in row["renditions"] or []:
        if rendition.get("format") == "webp" or row["renditions_of"] != row["file"]:
            continue
        sizes[f"w{rendition['width']}"] = {
            "file": str(rendition["name"]).rsplit("/", 1)[-1],
            "width": rendition["width"],
            "height": rendition.get("height") or 0,
            "mime_type": mime_type,
            "source_url": site.media_url(default_storage.url(rendition["name"])),
        }
    caption = f"<p>{escape(str(row['caption']))}</p>\n" if row["caption"] else ""
    return {
        "id": pk,
        "date": dates.local(row["uploaded_at"]),
        "date_gmt": dates.gmt(row["uploaded_at"]),
        "guid": _rendered(source_url),
        "modified": dates.local(row["updated_at"]),
        "modified_gmt": dates.gmt(row["updated_at"]),
        "slug": f"image-{pk}",
        "status": "inherit",
        "type": "attachment",
        "link": source_url,
        "title": _rendered(escape(str(row["alt_text"]))),
        "author": 0,
        "featured_media": 0,
        "comment_status": "closed",
        "ping_status": "closed",
        "template": "",
        "meta": [],
        "class_list": [f"post-{pk}", "attachment", "type-attachment", "status-inherit", "hentry"],
        "description": _rendered(caption),
        "caption": _rendered(caption),
        "alt_text": str(row["alt_text"]),
        "media_type": "image",
        "mime_type": mime_type,
        "media_details": {
            "width": row["width"] or 0,
            "height": row["height"] or 0,
            "file": name,
            "sizes": sizes,
        },
        "post": None,
        "source_url": source_url,
        "_links": {
            "self": [{"href": site.route(f"media/{pk}")}],
            "collection": [{"href": site.route("media")}],
            "about": [{"href": site.route("types/attachment")}],
        },
    }


# --- the embed context: what `_embed` puts under `_embedded` ------------------------------

EMBED_FIELDS = {
    "user": ("id", "name", "url", "description", "link", "slug", "_links"),
    "term": ("id", "link", "name", "slug", "taxonomy", "_links"),
    "comment": (
        "id",
        "parent",
        "author",
        "author_name",
        "author_url",
        "date",
        "content",
        "link",
        "type",
        "_links",
    ),
    "media": (
        "id",
        "date",
        "slug",
        "type",
        "link",
        "title",
        "author",
        "featured_media",
        "caption",
        "alt_text",
        "media_type",
        "mime_type",
        "media_details",
        "source_url",
        "_links",
    ),
}


def embedded(shape: dict, kind: str) -> dict:
    return {key: shape[key] for key in EMBED_FIELDS[kind] if key in shape}


def total_pages(total: int, per_page: int) -> int:
    return math.ceil(total / per_page) if total else 0
