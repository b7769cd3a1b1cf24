"""Authors, categories and tags: what a post refers to, by login or nicename.

WordPress lists them before the first item, and names a category's parent by nicename,
possibly before the parent itself: so `TermImporter` collects them, writes them in one
go (parents first) when the first post comes, and answers the posts' references.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from typing import Any

from articles.models import Author, Category, Tag
from articles.wordpress.converting import (
    category_parents,
    slug_base,
    tree_depths,
    unique_slug,
    wordpress_login,
)
from articles.wordpress.reading import WxrAuthor, WxrCategory, WxrTag
from articles.wordpress.summary import ImportSummary


class TermImporter:
    """Creates or updates authors, categories and tags; one instance per import."""

    def __init__(self, summary: ImportSummary, *, now: datetime) -> None:
        self.summary = summary
        self._now = now
        self._pending_authors: list[WxrAuthor] = []
        self._pending_categories: list[WxrCategory] = []
        self._pending_tags: list[WxrTag] = []
        self._written = False
        # nicename/login → (id, ...) for the records of this file.
        self.category_by_nicename: dict[str, tuple[int, int]] = {}  # → (id, depth)
        self.tag_by_slug: dict[str, int] = {}
        self.author_by_login: dict[str, int] = {}

    def add(self, record: WxrAuthor | WxrCategory | WxrTag) -> None:
        """Collect a record until `write()`."""
        if isinstance(record, WxrCategory):
            self._pending_categories.append(record)
        elif isinstance(record, WxrTag):
            self._pending_tags.append(record)
        elif isinstance(record, WxrAuthor):
            self._pending_authors.append(record)
        if self._written:
            # WordPress writes every term before the first item; a straggler is
            # written at once (posts read earlier could not refer to it).
            self._written = False
            self.write()

    def write(self) -> None:
        """Write what was collected: before the first post, and at the end."""
        if self._written:
            return
        self._written = True
        self._import_authors(self._pending_authors)
        self._import_categories(self._pending_categories)
        self._import_tags(self._pending_tags)
        self._pending_authors, self._pending_categories, self._pending_tags = [], [], []

    def author_id(self, *, creator: str) -> int | None:
        """Id of the author a post's <dc:creator> names, created when the file did not
        declare it."""
        login = wordpress_login(creator)
        if not login:
            return None
        if login not in self.author_by_login:
            # Older exports name authors only in <dc:creator>: the login is the byline.
            existing = Author.objects.filter(wordpress_login=login).order_by().first()
            self._upsert_author(
                login, name=(existing.name if existing else login[:150]),
                email=(existing.email if existing else ""), existing=existing,
            )  # fmt: skip
        return self.author_by_login[login]

    def category_ref(self, *, nicename: str, name: str) -> tuple[int, int] | None:
        """(id, depth) of a category a post names. One the file does not declare is
        matched on its slug, or created at the top level, as WordPress's importer does."""
        if nicename not in self.category_by_nicename:
            category = self._undeclared(Category, "categories", nicename, name)
            if category is None:
                return None
            self.category_by_nicename[nicename] = (category.pk, category.depth)
        return self.category_by_nicename[nicename]

    def tag_ref(self, *, nicename: str, name: str) -> int | None:
        """Id of a tag a post names; one the file does not declare is matched on its
        slug, or created, as WordPress's importer does."""
        if nicename not in self.tag_by_slug:
            tag = self._undeclared(Tag, "tags", nicename, name)
            if tag is None:
                return None
            self.tag_by_slug[nicename] = tag.pk
        return self.tag_by_slug[nicename]

    def _import_authors(self, records: list[WxrAuthor]) -> None:
        by_login: dict[str, WxrAuthor] = {}
        for record in records:
            login = wordpress_login(record.login)
            if not login:
                self.summary.count("authors", "skipped")
                continue
            by_login[login] = record
        existing = {
            a.wordpress_login: a for a in Author.objects.filter(wordpress_login__in=by_login)
        }
        for login, record in by_login.items():
            self._upsert_author(
                login,
                name=html.unescape(record.display_name or record.login)[:150],
                email=record.email.lower()[:254],
                existing=existing.get(login),
            )

    def _upsert_author(self, login: str, *, name: str, email: str, existing: Author | None):
        if existing is None:
            slug = unique_slug(
                slug_base(login, fallback="author"),
                is_taken=lambda s: Author.objects.filter(slug=s).exists(),
                max_length=150,
            )
            author = Author.objects.create(name=name, slug=slug, email=email, wordpress_login=login)
            self.summary.count("authors", "created")
        else:
            author = existing
            if (author.name, author.email) != (name, email):
                author.name, author.email = name, email
                author.save(update_fields=["name", "email", "updated_at"])
                self.summary.count("authors", "updated")
            else:
                self.summary.count("authors", "unchanged")
        self.author_by_login[login] = author.pk
        return author.pk

    def _declared(self, kind: str, records: list, nicename: Callable[[Any], str]) -> dict:
        """The term records by nicename (slug); those without one or a term id are
        skipped."""
        by_nicename = {}
        for record in records:
            if record.term_id is None or not nicename(record):
                self.summary.count(kind, "skipped")
            else:
                by_nicename[nicename(record)] = record
        return by_nicename

    def _import_categories(self, records: list[WxrCategory]) -> None:
        by_nicename = self._declared("categories", records, lambda r: r.nicename)
        parents, notes = category_parents(records=by_nicename, known=self.category_by_nicename)
        self.summary.notes.update(notes)
        # A parent outside this batch was written earlier in this import.
        depths = tree_depths(
            parents, outside=lambda nicename: self.category_by_nicename[nicename][1]
        )

        existing = Category.objects.in_bulk(
            [r.term_id for r in by_nicename.values()], field_name="wordpress_id"
        )
        taken = set(Category.objects.values_list("slug", flat=True))
        # Parents first, so each child's tree path is computed from its final parent.
        for nicename in sorted(by_nicename, key=depths.__getitem__):
            record = by_nicename[nicename]
            category = existing.get(record.term_id)
            if category is not None:
                taken.discard(category.slug)
            parent_nicename = parents[nicename]
            values = {
                "name": html.unescape(record.name or nicename)[:100],
                "slug": unique_slug(
                    slug_base(nicename, fallback=f"category-{record.term_id}"),
                    is_taken=taken.__contains__,
                    max_length=100,
                ),
                "description": html.unescape(record.description),
                "parent_id": (
                    self.category_by_nicename[parent_nicename][0] if parent_nicename else None
                ),
            }
            if category is None:
                category = Category(wordpress_id=record.term_id, **values)
                category.save()
                self.summary.count("categories", "created")
            elif any(getattr(category, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(category, key, value)
                category.save()  # rewrites the tree paths of its descendants too
                self.summary.count("categories", "updated")
            else:
                self.summary.count("categories", "unchanged")
            taken.add(category.slug)
            self.category_by_nicename[nicename] = (category.pk, depths[nicename])

    def _import_tags(self, records: list[WxrTag]) -> None:
        by_slug = self._declared("tags", records, lambda r: r.slug)
        existing = Tag.objects.in_bulk(
            [r.term_id for r in by_slug.values()], field_name="wordpress_id"
        )
        taken = set(Tag.objects.values_list("slug", flat=True))
        to_create, to_update = [], []
        for nicename, record in by_slug.items():
            tag = existing.get(record.term_id)
            if tag is not None:
                taken.discard(tag.slug)
            slug = unique_slug(
                slug_base(nicename, fallback=f"tag-{record.term_id}"),
                is_taken=taken.__contains__,
                max_length=100,
            )
            name = html.unescape(record.name or nicename)[:100]
            if tag is None:
                tag = Tag(wordpress_id=record.term_id, name=name, slug=slug)
                to_create.append(tag)
            elif (tag.name, tag.slug) != (name, slug):
                tag.name, tag.slug, tag.updated_at = name, slug, self._now
                to_update.append(tag)
            else:
                self.summary.count("tags", "unchanged")
            taken.add(slug)
        Tag.objects.bulk_create(to_create, batch_size=500)
        Tag.objects.bulk_update(to_update, ["name", "slug", "updated_at"], batch_size=500)
        self.summary.count("tags", "created", len(to_create))
        self.summary.count("tags", "updated", len(to_update))
        # bulk_create sets primary keys on PostgreSQL and SQLite >= 3.35, but look the
        # ids up anyway so every backend Django supports works.
        term_ids = {r.term_id: nicename for nicename, r in by_slug.items()}
        for pk, term_id in Tag.objects.filter(wordpress_id__in=term_ids).values_list(
            "pk", "wordpress_id"
        ):
            self.tag_by_slug[term_ids[term_id]] = pk

    def _undeclared(self, model: type[Category | Tag], kind: str, nicename: str, name: str):
        """The row for a term a post names but the file does not declare: matched on its
        slug, or created (at the top level), as WordPress's importer does. None when the
        nicename gives no slug."""
        slug = slug_base(nicename, fallback="")
        if not slug:
            return None
        self.summary.note(
            f"{model._meta.verbose_name} named by a post but not declared in the file"
        )
        term = model.objects.filter(slug=slug).order_by().first()
        if term is None:
            term = model.objects.create(name=html.unescape(name or nicename)[:100], slug=slug)
            self.summary.count(kind, "created")
        else:
            self.summary.count(kind, "unchanged")
        return term
