"""The WordPress routes in the response cache: the same scopes as our own API's answers
(articles/cache.py), so the same writes invalidate them.

- posts, terms, users, media: `articles` (anything an article page or list shows); with
  `_embed` a post also shows its latest comments, so `article-lists` too, which every
  change to any discussion replaces;
- comments: `articles` (the visible articles) and `article-lists` (every discussion).

Their surrogate keys (`wordpress_keys`) follow our API's (articles/cache.py), read from
the shaped items: a collection carries its list's key and each item's.
"""

from articles.cache import (
    ARTICLE_LISTS,
    ARTICLES,
    ARTICLES_KEY,
    AUTHORS_KEY,
    CATEGORIES_KEY,
    COMMENTS_KEY,
    MEDIA_KEY,
    TAGS_KEY,
    article_key,
    term_key,
    thread_key,
)
from plumbing.response_cache.routes import register_route

_V2 = r"/wp-json/wp/v2"
_ID = r"(?:/[0-9]{1,18})?/?"

register_route(
    rf"{_V2}/(?:posts|categories|tags|users|media){_ID}",
    lambda match: (ARTICLES,),
    query_dependencies=lambda query: (ARTICLE_LISTS,) if "_embed" in query else (),
)
register_route(rf"{_V2}/comments{_ID}", lambda match: (ARTICLES, ARTICLE_LISTS))


def _post_keys(post: dict) -> list[str]:
    keys = [article_key(post["id"])]
    keys += [term_key("category", pk) for pk in post.get("categories", ())]
    keys += [term_key("tag", pk) for pk in post.get("tags", ())]
    if post.get("author"):
        keys.append(term_key("author", post["author"]))
    if post.get("featured_media"):
        keys.append(term_key("image", post["featured_media"]))
    return keys


# kind -> (its list's key, an item's keys)
_KEYS = {
    "posts": (ARTICLES_KEY, _post_keys),
    "categories": (CATEGORIES_KEY, lambda item: [term_key("category", item["id"])]),
    "tags": (TAGS_KEY, lambda item: [term_key("tag", item["id"])]),
    "users": (AUTHORS_KEY, lambda item: [term_key("author", item["id"])]),
    "media": (MEDIA_KEY, lambda item: [term_key("image", item["id"])]),
    "comments": (COMMENTS_KEY, lambda item: [thread_key(item["post"])]),
}


def wordpress_keys(kind: str, data) -> list[str]:
    """The surrogate keys of a WordPress answer (`kind`: the view's, "posts",
    "comments"...) from its shaped items, before `_fields` drops any: the list's key
    (which items exist, their counts: purged by publications) and each item's."""
    if kind not in _KEYS:
        return []
    list_key, item_keys = _KEYS[kind]
    if kind == "posts" and isinstance(data, list):
        # A page of posts names its articles only, as our API's list does: any change
        # of a term or picture it shows purges `articles` or the article's own key, and
        # up to 100 posts' terms would make the header long (Fastly and Cloudflare take
        # 16 KB).
        return [list_key, *(article_key(item["id"]) for item in data if "id" in item)]
    keys = [list_key]
    for item in data if isinstance(data, list) else [data]:
        if isinstance(item, dict) and "id" in item:
            keys += item_keys(item)
    return keys
