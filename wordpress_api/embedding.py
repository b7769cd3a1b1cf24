"""`_embed`: the linked objects a post (or a comment) names, put under `_embedded` as
WordPress does, read with one query per relation for the whole page."""

from __future__ import annotations

from articles.models import Category, Tag
from wordpress_api import selectors, shapes

# How many comments `replies` embeds per post: the first page of the post's comments,
# as WordPress embeds the collection its link names (newest first, per_page 10).
REPLIES_PER_POST = 10
POST_RELATIONS = ("author", "wp:term", "replies", "wp:featuredmedia")


def _wants(wanted: set[str] | None, relation: str) -> bool:
    return wanted is None or relation in wanted


def embed_in_posts(posts: list[dict], *, site: shapes.Site, wanted: set[str] | None) -> None:
    """Add `_embedded` to each post, in place (wanted None: every relation)."""
    embedded: dict[int, dict] = {post["id"]: {} for post in posts}
    if _wants(wanted, "author"):
        ids = {post["author"] for post in posts if post["author"]}
        users = selectors.users_by_id(ids=ids, now=site.now) if ids else {}
        for post in posts:
            user = users.get(post["author"])
            embedded[post["id"]]["author"] = (
                [shapes.embedded(shapes.user_of(user, site=site), "user")] if user else []
            )
    if _wants(wanted, "wp:term"):
        category_ids = {pk for post in posts for pk in post["categories"]}
        tag_ids = {pk for post in posts for pk in post["tags"]}
        categories = selectors.terms_by_id(model=Category, ids=category_ids) if category_ids else {}
        tags = selectors.terms_by_id(model=Tag, ids=tag_ids) if tag_ids else {}

        def terms(rows: dict, ids: list[int], taxonomy: str) -> list[dict]:
            return [
                shapes.embedded(
                    shapes.term_of(rows[pk], taxonomy=taxonomy, count=0, site=site), "term"
                )
                for pk in ids
                if pk in rows
            ]

        for post in posts:
            embedded[post["id"]]["wp:term"] = [
                terms(categories, post["categories"], "category"),
                terms(tags, post["tags"], "post_tag"),
            ]
    if _wants(wanted, "replies"):
        replies = selectors.latest_replies(
            post_ids=[post["id"] for post in posts], per_post=REPLIES_PER_POST
        )
        for post in posts:
            if replies.get(post["id"]):
                embedded[post["id"]]["replies"] = [
                    [
                        shapes.embedded(shapes.comment_of(row, site=site), "comment")
                        for row in replies[post["id"]]
                    ]
                ]
    if _wants(wanted, "wp:featuredmedia"):
        ids = {post["featured_media"] for post in posts if post["featured_media"]}
        images = selectors.images_by_id(ids=ids, now=site.now) if ids else {}
        for post in posts:
            image = images.get(post["featured_media"])
            if image:
                embedded[post["id"]]["wp:featuredmedia"] = [
                    shapes.embedded(shapes.media_of(image, site=site), "media")
                ]
    for post in posts:
        if embedded[post["id"]]:
            post["_embedded"] = embedded[post["id"]]


def embed_posts_in_comments(
    comments: list[dict], *, site: shapes.Site, columns: tuple[str, ...]
) -> None:
    """`up` of each comment: its post, in the embed context."""
    ids = {comment["post"] for comment in comments}
    rows = (
        {row["id"]: row for row in selectors.posts_by_id(ids=ids, now=site.now, columns=columns)}
        if ids
        else {}
    )
    tags = selectors.tags_of_posts(post_ids=list(rows))
    for comment in comments:
        row = rows.get(comment["post"])
        if row is not None:
            post = shapes.post_of(row, tags=tags[row["id"]], site=site)
            comment["_embedded"] = {"up": [{key: post[key] for key in POST_EMBED_FIELDS}]}


POST_EMBED_FIELDS = (
    "id",
    "date",
    "slug",
    "type",
    "link",
    "title",
    "excerpt",
    "author",
    "featured_media",
    "_links",
)
