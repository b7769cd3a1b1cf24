"""Write paths of the articles domain: moving articles through the workflow."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from articles import demo_data
from articles.models import Article, Author, Category, Tag
from articles.sanitizer import sanitize_article_html


@transaction.atomic
def article_publish(*, article: Article, now: datetime | None = None) -> Article:
    """Publish now, or keep a future publication time as a scheduled article."""
    now = now or timezone.now()
    if article.published_at and article.published_at > now:
        article.status = Article.Status.SCHEDULED
    else:
        article.status = Article.Status.PUBLISHED
        article.published_at = article.published_at or now
    article.save()
    return article


@transaction.atomic
def article_archive(*, article: Article) -> Article:
    """Take an article off the public site; its URL answers 404 from now on."""
    article.status = Article.Status.ARCHIVED
    article.save()
    return article


@transaction.atomic
def articles_publish(*, articles: Iterable[Article]) -> int:
    """Publish (or schedule) each article, all or none; returns how many."""
    return len([article_publish(article=article) for article in articles])


@transaction.atomic
def articles_archive(*, articles: Iterable[Article]) -> int:
    """Archive each article, all or none; returns how many."""
    return len([article_archive(article=article) for article in articles])


def _upsert_by_slug(model, slug: str, values: dict) -> tuple[object, str]:
    """Create the row, update it where it differs, or leave it alone: "created",
    "updated" or "unchanged". Unchanged rows are not saved, so no history is written."""
    instance = model.objects.filter(slug=slug).first()
    if instance is None:
        return model.objects.create(slug=slug, **values), "created"
    changed = [field for field, value in values.items() if getattr(instance, field) != value]
    if not changed:
        return instance, "unchanged"
    for field in changed:
        setattr(instance, field, values[field])
    instance.save()
    return instance, "updated"


@transaction.atomic
def demo_data_load() -> dict[str, dict[str, int]]:
    """Create or update the demo content, matched on slugs, so loading twice changes nothing."""
    kinds = ("categories", "tags", "authors", "articles")
    summary = {kind: {"created": 0, "updated": 0, "unchanged": 0} for kind in kinds}

    categories = {}
    for slug, name, parent_slug in demo_data.CATEGORIES:
        values = {"name": name, "parent": categories.get(parent_slug)}
        categories[slug], outcome = _upsert_by_slug(Category, slug, values)
        summary["categories"][outcome] += 1
    tags = {}
    for slug, name in demo_data.TAGS:
        tags[slug], outcome = _upsert_by_slug(Tag, slug, {"name": name})
        summary["tags"][outcome] += 1
    authors = {}
    for slug, name, bio in demo_data.AUTHORS:
        authors[slug], outcome = _upsert_by_slug(Author, slug, {"name": name, "bio": bio})
        summary["authors"][outcome] += 1
    for item in demo_data.ARTICLES:
        values = {
            "title": item.title,
            "excerpt": item.excerpt,
            # Compare with what save() stores, or every load would count as a change.
            "body": sanitize_article_html(item.body),
            "category": categories[item.category],
            "author": authors[item.author],
            "status": item.status,
            "published_at": item.published_at,
        }
        article, outcome = _upsert_by_slug(Article, item.slug, values)
        wanted_tags = {tags[slug].pk for slug in item.tags}
        if set(article.tags.values_list("pk", flat=True)) != wanted_tags:
            article.tags.set(wanted_tags)
            outcome = "updated" if outcome == "unchanged" else outcome
        summary["articles"][outcome] += 1
    return summary
