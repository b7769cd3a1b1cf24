"""Public response cache invalidation for writes that go through model saves.

Every save or delete of what the public article reads show (articles, categories, tags,
authors, an article's tags, the moderation policy behind `comments_open` and
`reaction_label`) invalidates the article scope of the response cache; a comment saved
through its model (the admin's edit form, scripts) invalidates that article's comments.
Services that write with QuerySet.update() call cms.http_cache themselves.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from articles.models import Article, Author, Category, Tag
from cms import http_cache


@receiver(post_save, sender=Article, dispatch_uid="http_cache.article_saved")
@receiver(post_delete, sender=Article, dispatch_uid="http_cache.article_deleted")
@receiver(post_save, sender=Category, dispatch_uid="http_cache.category_saved")
@receiver(post_delete, sender=Category, dispatch_uid="http_cache.category_deleted")
@receiver(post_save, sender=Tag, dispatch_uid="http_cache.tag_saved")
@receiver(post_delete, sender=Tag, dispatch_uid="http_cache.tag_deleted")
@receiver(post_save, sender=Author, dispatch_uid="http_cache.author_saved")
@receiver(post_delete, sender=Author, dispatch_uid="http_cache.author_deleted")
@receiver(post_save, sender="comments.ModerationPolicy", dispatch_uid="http_cache.policy_saved")
def public_article_data_changed(sender, raw=False, **kwargs) -> None:
    if not raw:  # loaddata: the loader invalidates once it is done, if it wants to
        http_cache.articles_changed()


@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="http_cache.article_tags")
def article_tags_changed(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        http_cache.articles_changed()


@receiver(post_save, sender="comments.Comment", dispatch_uid="http_cache.comment_saved")
def comment_saved(sender, instance, created: bool, raw=False, **kwargs) -> None:
    if raw or (created and not instance.is_listed):
        return  # a new comment the public does not see (held, spam) changes nothing
    article_field = type(instance).article
    if article_field.is_cached(instance):  # no query: the writer had the article at hand
        http_cache.article_comments_changed_for_slugs([instance.article.slug])
    else:
        http_cache.article_comments_changed([instance.article_id])
