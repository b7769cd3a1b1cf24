"""The stored counts behind each category's `article_count`.

`Category.public_article_count` counts the articles filed directly in a category that are
published or scheduled, whatever their date; `public_subtree_count` the same over the
category and its descendants. The public count of a category (visible now) is the
subtree count less the few public articles of the subtree dated in the future
(articles.selectors.attach_article_counts): read, not counted, whatever the number of
articles, and right at every moment without a job when a scheduled article goes live.

The columns are recounted, for the categories an article write touched and their
ancestors, from the article table itself (UPDATEs with a COUNT subquery on the category
index, then a SUM over the subtree): no increments that could drift. A bulk write (the
WordPress import) recounts every category once; a category that moves recounts the
subtree sums itself (Category.save).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Func, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import PUBLIC_STATUSES, Article, Category
from articles.signals import bulk_content_changed


def recount_categories(category_ids: Iterable[int | None] | None = None) -> None:
    """Recount these categories (every category when None) from the article table, and
    the subtree counts of them and their ancestors."""
    categories = Category.objects.all()
    if category_ids is not None:
        ids = {pk for pk in category_ids if pk is not None}
        if not ids:
            return
        categories = categories.filter(pk__in=ids)
    filed_here = (
        Article.objects.filter(category=OuterRef("pk"), status__in_literals=PUBLIC_STATUSES)
        .order_by()
        .annotate(n=Func(F("id"), function="COUNT"))
        .values("n")
    )
    # QuerySet.update: no save(), so no updated_at bump and no signals of its own.
    categories.update(public_article_count=Coalesce(Subquery(filed_here), 0))
    if category_ids is None:
        Category.objects.recount_subtrees()
        return
    paths = Category.objects.filter(pk__in=ids).values_list("tree_path", flat=True)
    Category.objects.recount_subtrees(
        {int(pk) for path in paths for pk in path.strip("/").split("/") if pk}
    )


@receiver(post_save, sender=Article, dispatch_uid="articles.category_counts.article_saved")
def article_saved(sender, instance: Article, created: bool, **kwargs) -> None:
    before = getattr(instance, "_public_state_before", None) or {}
    was_public = before.get("status") in PUBLIC_STATUSES
    is_public = instance.status in PUBLIC_STATUSES
    moved = before.get("category_id") != instance.category_id
    if was_public != is_public or ((was_public or is_public) and (moved or created)):
        recount_categories([before.get("category_id"), instance.category_id])


@receiver(post_delete, sender=Article, dispatch_uid="articles.category_counts.article_deleted")
def article_deleted(sender, instance: Article, **kwargs) -> None:
    if instance.status in PUBLIC_STATUSES:
        recount_categories([instance.category_id])


@receiver(bulk_content_changed, dispatch_uid="articles.category_counts.bulk_content_changed")
def bulk_content_written(sender, **kwargs) -> None:
    recount_categories()
