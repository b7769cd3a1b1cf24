"""Signals the articles app sends about its own writes.

Model saves and deletes already send Django's signals; this one covers the writes that
bypass them (bulk_create, QuerySet.update in an import), so receivers such as the
response cache (articles/cache.py) hear about every change one way.
"""

from django.db.models.signals import pre_save
from django.dispatch import Signal, receiver

from articles.models import Article

# Articles, categories, tags or authors were written in bulk. No arguments.
bulk_content_changed = Signal()


@receiver(pre_save, sender=Article, dispatch_uid="articles.signals.remember_public_state")
def remember_public_state(sender, instance: Article, raw=False, **kwargs) -> None:
    """What the public could see of the row before this save, for the post_save receivers
    that act only on public changes (the response cache, the category counts): one query
    per save, and editors save rarely next to readers' reads."""
    instance._public_state_before = (
        None
        if raw or instance.pk is None
        else Article.objects.filter(pk=instance.pk)
        .values("status", "published_at", "category_id")
        .first()
    )
