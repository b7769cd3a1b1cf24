"""The WordPress routes in the response cache: the same scopes as our own API's answers
(articles/cache.py), so the same writes invalidate them.

- posts, terms, users, media: `articles` (anything an article page or list shows); with
  `_embed` a post also shows its latest comments, so `article-lists` too, which every
  change to any discussion replaces;
- comments: `articles` (the visible articles) and `article-lists` (every discussion).
"""

from articles.cache import ARTICLE_LISTS, ARTICLES
from plumbing.response_cache.routes import register_route

_V2 = r"/wp-json/wp/v2"
_ID = r"(?:/[0-9]{1,18})?/?"

register_route(
    rf"{_V2}/(?:posts|categories|tags|users|media){_ID}",
    lambda match: (ARTICLES,),
    query_dependencies=lambda query: (ARTICLE_LISTS,) if "_embed" in query else (),
)
register_route(rf"{_V2}/comments{_ID}", lambda match: (ARTICLES, ARTICLE_LISTS))
