"""Background tasks of the articles app: an image's renditions are made by the worker,
never inside the editor's upload request."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django_tasks import task

from articles.images import make_renditions
from articles.models import Article, Image
from plumbing.tasks import enqueue_after_commit

logger = logging.getLogger(__name__)


@task()
def make_image_renditions(image_id: int) -> int:
    """Make the renditions of this image's current file and list them on its row; then
    give the articles showing it in their body the new srcset (their saves invalidate
    what readers see, as any edit does). Returns how many renditions were made; 0 when
    the image is gone or its renditions are current."""
    image = Image.objects.filter(pk=image_id).first()
    if image is None or not image.file or image.renditions_of == image.file.name:
        return 0
    renditions = make_renditions(image)
    with transaction.atomic():
        current = Image.objects.select_for_update().filter(pk=image_id).first()
        if current is None or current.file.name != image.file.name:
            return 0  # deleted, or replaced meanwhile: the new file's own task runs
        current.renditions, current.renditions_of = renditions, current.file.name
        # A model save, so the response cache hears of it (articles/cache.py).
        current.save(update_fields=["renditions", "renditions_of", "updated_at"])
        for article in Article.objects.filter(body__contains=f'data-file="{image_id}"'):
            article.save(update_fields=["body"])
    logger.info("Image %s: %d renditions", image_id, len(renditions))
    return len(renditions)


@receiver(post_save, sender=Image, dispatch_uid="articles.tasks.image_saved")
def image_saved(sender, instance: Image, raw=False, **kwargs) -> None:
    # Whatever stored a new file (the admin, an import, a shell), the worker makes its
    # renditions once the upload has committed.
    if not raw and instance.needs_renditions:
        enqueue_after_commit(make_image_renditions, instance.pk)
