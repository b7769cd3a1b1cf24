"""What the articles app's public answers depend on, and what its changes invalidate.

Scopes (plumbing.response_cache.generations):
- `articles`: anything an article page or list shows (articles, categories, tags,
  authors, the moderation policy behind `comments_open` and `reaction_label`);
- `comments:<slug>`: one article's discussion, its comment list and its comment count,
  on its page and in every list page that shows it (the list view names the threads of
  its rows: hints.also_depends_on); the comments app invalidates it (comments/cache.py);
- `article-lists`: the order of lists sorted by comment count, which any article's new
  comment may change (only those lists depend on it).

Invalidation runs from signals only (docs/decisions.md, "One invalidation mechanism"):
model saves and deletes, and `bulk_content_changed` for writes that bypass them.

The same receivers name the surrogate keys a CDN purges (plumbing/cdn/,
docs/deployment.md): `article-<id>`, `thread-<id>`, `category-<id>`, `tag-<id>`,
`author-<id>`, `image-<id>`, and the lists' keys (`articles`, `categories`, `tags`,
`authors`, `media`, `comments`). The `*_keys` functions below say which keys an answer
carries; the views call them with the rows they read.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from articles.models import PUBLIC_STATUSES, Article, Author, Category, Image, Tag
from articles.signals import bulk_content_changed
from plumbing.cdn.pending import purge_after_commit, purging_enabled
from plumbing.response_cache.generations import invalidate
from plumbing.response_cache.hints import EVERY_ANSWER_KEY
from plumbing.response_cache.routes import register_route

ARTICLES = "articles"
ARTICLE_LISTS = "article-lists"
_THREAD = "comments:"

# Slugs as the URLconf accepts them: anything else is not a route answered from the
# cache (it goes through the stack and 404s there).
SLUG = r"[-a-zA-Z0-9_]+"


def thread_scope(slug: str) -> str:
    """The scope of one article's discussion: its comment list and comment count."""
    return _THREAD + slug


def invalidate_threads(*, slugs: Iterable[str] = (), article_ids: Iterable[int] = ()) -> None:
    """These articles' discussions changed: their comment lists, their details and the
    list pages showing them (comment_count), and the lists ordered by comment count.
    Other articles' pages and the other list pages stay cached. Give slugs when at hand
    (ids cost a query)."""
    slugs = set(slugs)
    ids = sorted({int(pk) for pk in article_ids})
    if ids:
        slugs.update(Article.objects.filter(pk__in=ids).values_list("slug", flat=True))
    if slugs or ids:
        invalidate([ARTICLE_LISTS, *(thread_scope(slug) for slug in sorted(slugs))])


# --- surrogate keys: what a CDN purges (docs/deployment.md) -------------------------

# The lists' keys: a list answer carries its own, so a change of membership or order
# (publishing, unpublishing, a new term) purges it; its rows carry their own keys too.
ARTICLES_KEY = "articles"
CATEGORIES_KEY = "categories"
TAGS_KEY = "tags"
AUTHORS_KEY = "authors"
MEDIA_KEY = "media"
# Answers that depend on every discussion: the lists ordered by comment count, the
# WordPress comment list (comments/cache.py purges it with each thread).
COMMENTS_KEY = "comments"
# What a publication change reshapes besides the article itself: every list and count.
PUBLICATION_KEYS = frozenset(
    {ARTICLES_KEY, CATEGORIES_KEY, TAGS_KEY, AUTHORS_KEY, MEDIA_KEY, COMMENTS_KEY}
)


def article_key(article_id: int) -> str:
    return f"article-{int(article_id)}"


def thread_key(article_id: int) -> str:
    return f"thread-{int(article_id)}"


def term_key(kind: str, pk: int) -> str:
    """The key of one category, tag, author or image (`kind`)."""
    return f"{kind}-{int(pk)}"


def category_path_keys(tree_path: str | None) -> list[str]:
    """`category-<id>` of a category and each of its ancestors, from its stored
    tree_path ("/1/5/9/"): an answer showing the path changes when any of them does."""
    return [term_key("category", pk) for pk in (tree_path or "").split("/") if pk]


def article_keys(article) -> list[str]:
    """An article's detail: the article, its thread (the comment count and the
    discussion's state show), its category path, its author and tags (names shown).
    From what the detail already read (category joined, tags prefetched)."""
    keys = [article_key(article.pk), thread_key(article.pk)]
    if article.category_id:
        keys += category_path_keys(article.category.tree_path)
    if article.author_id:
        keys.append(term_key("author", article.author_id))
    keys += [term_key("tag", tag.pk) for tag in article.tags.all()]
    return keys


def article_list_keys(rows, *, by_comment_count: bool = False) -> list[str]:
    """A page of the article list: the list's key and each row's article (a row shows
    the article's comment count, so a new comment purges the pages showing it)."""
    keys = [ARTICLES_KEY, *(article_key(row["id"]) for row in rows)]
    return [*keys, COMMENTS_KEY] if by_comment_count else keys


def term_keys(kind: str, terms) -> list[str]:
    """A page of categories, tags or authors, or one of them (`kind`: "category", "tag",
    "author"): each term's key (a category's whole path) and the kind's list key (the
    counts and which terms show change with publications)."""
    lists = {"category": CATEGORIES_KEY, "tag": TAGS_KEY, "author": AUTHORS_KEY}
    keys = [lists[kind]]
    for term in terms:
        if kind == "category":
            keys += category_path_keys(term.tree_path)
        else:
            keys.append(term_key(kind, term.pk))
    return keys


def purge_threads(article_ids: Iterable[int]) -> None:
    """These articles' discussions changed: their threads, their answers (the comment
    count shows on the article and in the lists, through its row's key) and the answers
    that depend on every discussion."""
    keys = [COMMENTS_KEY]
    for pk in article_ids:
        keys += [thread_key(pk), article_key(pk)]
    purge_after_commit(keys)


# --- the routes -----------------------------------------------------------------------

register_route(
    r"/api/v1/articles/",
    lambda match: (ARTICLES,),
    # Ordered by comment count: a comment on any article may change which rows it shows.
    query_dependencies=lambda query: (ARTICLE_LISTS,) if "comment_count" in query else (),
)
register_route(
    rf"/api/v1/articles/(?P<slug>{SLUG})/",
    lambda match: (ARTICLES, thread_scope(match["slug"])),
)
register_route(rf"/api/v1/(?:categories|tags|authors)/(?:{SLUG}/)?", lambda match: (ARTICLES,))


# --- what invalidates ------------------------------------------------------------------


def _shows_publicly(status: str | None) -> bool:
    """Whether an article in this state is in some public answer now (visible), or
    shapes one (a scheduled article: the lists expire when it goes live)."""
    return status in PUBLIC_STATUSES


@receiver(post_save, sender=Article, dispatch_uid="articles.cache.article_saved")
def article_saved(sender, instance: Article, raw=False, **kwargs) -> None:
    """A save invalidates public answers only if the article shows publicly before or
    after it. Saving a draft, an article in review or an archived one changes nothing
    public; neither does editing a future-scheduled article without moving its time
    (it shows nowhere yet, and the lists already expire at the time it goes live)."""
    if raw:
        return
    # Recorded by Article.save().
    before = getattr(instance, "_public_state_before", None) or {}
    if before and not instance.public_fields_changed(before):
        return  # only what staff see changed (a moderation switch, say)
    now = timezone.now()
    was = _shows_publicly(before.get("status"))
    is_ = _shows_publicly(instance.status)
    if not was and not is_:
        return
    still_future = (
        was
        and is_
        and before.get("published_at") == instance.published_at
        and before.get("status") == instance.status
        and instance.published_at is not None
        and instance.published_at > now
    )
    if not still_future:
        invalidate([ARTICLES])
        purge_after_commit(_changed_article_keys(instance, before, was=was, is_=is_))


def _changed_article_keys(instance: Article, before: dict, *, was: bool, is_: bool) -> set[str]:
    """An edit of a public article purges the answers showing it (its key); one that
    moves it in or out of the lists, or between categories or authors (filtered lists,
    counts), purges every list too."""
    keys = {article_key(instance.pk)}
    reshapes_lists = (not was or not is_) or any(
        before.get(name) != getattr(instance, name)
        for name in ("status", "published_at", "category_id", "author_id")
    )
    if reshapes_lists:
        keys |= {thread_key(instance.pk), *PUBLICATION_KEYS}
    return keys


@receiver(post_delete, sender=Article, dispatch_uid="articles.cache.article_deleted")
def article_deleted(sender, instance: Article, **kwargs) -> None:
    if _shows_publicly(instance.status):
        invalidate([ARTICLES])
        purge_after_commit({article_key(instance.pk), thread_key(instance.pk), *PUBLICATION_KEYS})


@receiver(post_save, sender=Category, dispatch_uid="articles.cache.category_saved")
@receiver(post_delete, sender=Category, dispatch_uid="articles.cache.category_deleted")
@receiver(post_save, sender=Tag, dispatch_uid="articles.cache.tag_saved")
@receiver(post_delete, sender=Tag, dispatch_uid="articles.cache.tag_deleted")
@receiver(post_save, sender=Author, dispatch_uid="articles.cache.author_saved")
@receiver(post_delete, sender=Author, dispatch_uid="articles.cache.author_deleted")
def public_article_data_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:  # loaddata: the loader invalidates once it is done, if it wants to
        invalidate([ARTICLES])
        # The term's answers (a category's descendants carry its key: their paths show
        # it), the articles showing it (theirs carry it too), and every list: a list row
        # shows the names of its category and author.
        kind = {Category: "category", Tag: "tag", Author: "author"}[sender]
        purge_after_commit({term_key(kind, instance.pk), *PUBLICATION_KEYS})


@receiver(post_save, sender=Image, dispatch_uid="articles.cache.image_saved")
@receiver(post_delete, sender=Image, dispatch_uid="articles.cache.image_deleted")
def image_changed(sender, instance: Image, raw=False, **kwargs) -> None:
    """A picture shows publicly only through a visible (or scheduled) article that
    leads with it or holds it in its body: a new upload, or a change to a picture no
    such article uses, invalidates nothing."""
    if raw:
        return
    used = Article.objects.filter(status__in_literals=PUBLIC_STATUSES).filter(
        Q(lead_image_id=instance.pk) | Q(body__contains=f'data-file="{instance.pk}"')
    )
    if not purging_enabled():
        if used.exists():
            invalidate([ARTICLES])
        return
    # The same one query, reading the articles' ids: their answers show the picture.
    article_ids = list(used.values_list("pk", flat=True))
    if article_ids:
        invalidate([ARTICLES])
        purge_after_commit(
            {term_key("image", instance.pk), MEDIA_KEY, *(article_key(pk) for pk in article_ids)}
        )


@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="articles.cache.article_tags")
def article_tags_changed(
    sender, instance, action: str, reverse: bool, pk_set=None, **kwargs
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse and not _shows_publicly(instance.status):
        return  # a draft's tags
    invalidate([ARTICLES])
    # The article's answers, the tags' pages, and the lists (filtered by tag, counts).
    if reverse:  # tag.articles.add(...): the tag is `instance`, the articles `pk_set`
        keys = {term_key("tag", instance.pk), *(article_key(pk) for pk in pk_set or ())}
    else:
        keys = {article_key(instance.pk), *(term_key("tag", pk) for pk in pk_set or ())}
    purge_after_commit({*keys, *PUBLICATION_KEYS})


@receiver(bulk_content_changed, dispatch_uid="articles.cache.bulk_content_changed")
def bulk_content_written(sender, **kwargs) -> None:
    invalidate([ARTICLES])
    purge_after_commit([EVERY_ANSWER_KEY])  # an import, a rebuild: anything may have changed
