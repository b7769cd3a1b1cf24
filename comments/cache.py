"""What the comments app's public answers depend on, and what its changes invalidate.

An article's comment list depends on the `articles` scope (the article itself, the
policy) and on its thread scope (articles/cache.py). Every change to what the public
sees of a discussion invalidates that article's thread and the article lists' counts;
other articles' threads stay cached. Triggered by signals only (docs/decisions.md): a
comment saved through its model (the admin's edit form, scripts) and
`public_comments_changed`, which the services send for their QuerySet.update() writes.
The same receivers purge the thread's surrogate keys from a CDN (articles.cache
.purge_threads), when one is configured.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from articles.cache import (
    ARTICLES,
    SLUG,
    article_key,
    invalidate_threads,
    purge_threads,
    thread_key,
    thread_scope,
)
from articles.models import Article
from comments.models import Comment, ModerationPolicy
from comments.signals import public_comments_changed
from plumbing.cdn.pending import purge_after_commit, purging_enabled
from plumbing.response_cache.generations import invalidate
from plumbing.response_cache.hints import EVERY_ANSWER_KEY
from plumbing.response_cache.routes import register_route

register_route(
    rf"/api/v1/articles/(?P<slug>{SLUG})/comments/",
    lambda match: (ARTICLES, thread_scope(match["slug"])),
    # The comment list authenticates (posters may be signed in): a bad token is the
    # view's answer to give, not a stored 200.
    bypass_when_present=("HTTP_AUTHORIZATION",),
)


def thread_keys(*, article_id: int) -> list[str]:
    """The surrogate keys of an article's comment list: its thread, and the article
    (the list depends on the article being visible, and on its discussion settings)."""
    return [thread_key(article_id), article_key(article_id)]


@receiver(post_save, sender=ModerationPolicy, dispatch_uid="comments.cache.policy_saved")
def policy_saved(sender, raw=False, **kwargs) -> None:
    # Article pages show `comments_open` and `reaction_label`, which the policy decides.
    if not raw:
        invalidate([ARTICLES])
        purge_after_commit([EVERY_ANSWER_KEY])  # a rare change every article page shows


@receiver(post_save, sender=Comment, dispatch_uid="comments.cache.comment_saved")
def comment_saved(sender, instance, created: bool, raw=False, **kwargs) -> None:
    if raw or (created and not instance.is_listed):
        return  # a new comment the public does not see (held, spam) changes nothing
    if type(instance).article.is_cached(instance):  # no query: the writer had it at hand
        invalidate_threads(slugs=[instance.article.slug])
    else:
        invalidate_threads(article_ids=[instance.article_id])
    purge_threads([instance.article_id])  # nothing at all without CDN_PURGERS


@receiver(public_comments_changed, dispatch_uid="comments.cache.public_comments_changed")
def public_comments_written(sender, article_ids=(), article_slugs=(), **kwargs) -> None:
    invalidate_threads(slugs=article_slugs, article_ids=article_ids)
    if purging_enabled():
        # The keys name ids; a sender with slugs at hand costs one query, only when a
        # CDN is purged.
        ids = set(article_ids)
        if article_slugs:
            ids.update(
                Article.objects.filter(slug__in=list(article_slugs)).values_list("pk", flat=True)
            )
        purge_threads(ids)
