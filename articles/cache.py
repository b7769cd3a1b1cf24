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
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from articles.models import PUBLIC_STATUSES, Article, Author, Category, Image, Tag
from articles.signals import bulk_content_changed
from plumbing.response_cache.generations import invalidate
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


@receiver(post_delete, sender=Article, dispatch_uid="articles.cache.article_deleted")
def article_deleted(sender, instance: Article, **kwargs) -> None:
    if _shows_publicly(instance.status):
        invalidate([ARTICLES])


@receiver(post_save, sender=Category, dispatch_uid="articles.cache.category_saved")
@receiver(post_delete, sender=Category, dispatch_uid="articles.cache.category_deleted")
@receiver(post_save, sender=Tag, dispatch_uid="articles.cache.tag_saved")
@receiver(post_delete, sender=Tag, dispatch_uid="articles.cache.tag_deleted")
@receiver(post_save, sender=Author, dispatch_uid="articles.cache.author_saved")
@receiver(post_delete, sender=Author, dispatch_uid="articles.cache.author_deleted")
def public_article_data_changed(sender, raw=False, **kwargs) -> None:
    if not raw:  # loaddata: the loader invalidates once it is done, if it wants to
        invalidate([ARTICLES])


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
    if used.exists():
        invalidate([ARTICLES])


@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="articles.cache.article_tags")
def article_tags_changed(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse and not _shows_publicly(instance.status):
        return  # a draft's tags
    invalidate([ARTICLES])


@receiver(bulk_content_changed, dispatch_uid="articles.cache.bulk_content_changed")
def bulk_content_written(sender, **kwargs) -> None:
    invalidate([ARTICLES])
