"""Authors, categories and tags: what a post refers to, by login, nicename or name.

WordPress lists them before the first item, and names a category's parent by nicename,
possibly before the parent itself: so `TermImporter` collects them, writes them in one
go (parents first) when the first post comes, and answers the posts' references
(`post_terms`), including those that give only a name (WXR 1.0, other tools).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from typing import Any

from articles.models import Author, Category, Tag
from articles.wordpress.converting import (
    category_parents,
    post_term_kind,
    sanitize_title,
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
        # The declared terms' names (unescaped, case-folded) → nicename, for the posts
        # that name a term without its nicename.
        self._category_names: dict[str, str] = {}
        self._tag_names: dict[str, str] = {}

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

    def post_terms(
        self, terms: list[tuple[str, str, str]]
    ) -> tuple[list[tuple[int, int]], set[int]]:
        """The categories ((id, depth), each once, in the order listed) and the tag ids
        a post's <category> elements (domain, nicename, name) name; other domains (post
        formats, custom taxonomies) are left out."""
        categories: dict[int, tuple[int, int]] = {}
        tag_ids: set[int] = set()
        for domain, nicename, name in terms:
            kind = post_term_kind(domain)
            if kind is None:
                continue
            if not nicename:
                kind, nicename = self._named(kind, name, plain=not domain.strip())
                if not nicename:
                    continue  # a name with nothing a slug can be made of
                self.summary.note(f"{kind} given by its name only (no nicename)")
            if kind == "category":
                if ref := self.category_ref(nicename=nicename, name=name):
                    categories.setdefault(ref[0], ref)
            elif tag_id := self.tag_ref(nicename=nicename, name=name):
                tag_ids.add(tag_id)
        return list(categories.values()), tag_ids

    def _named(self, kind: str, name: str, *, plain: bool) -> tuple[str, str]:
        """(kind, nicename) of a term a post gives by name only: the term of that kind
        the file declares, found by the slug WordPress makes of the name, else by the name
        itself (WordPress's `term_exists()` order). A <category> with no domain at all
        that names no category but a declared tag is that tag. Else a new term of that
        kind, with the slug of its name."""
        slug, folded = sanitize_title(name), html.unescape(name).strip().casefold()
        if kind == "category":
            if slug in self.category_by_nicename:
                return kind, slug
            if folded in self._category_names:
                return kind, self._category_names[folded]
            if not plain:
                return kind, slug
        if slug in self.tag_by_slug:
            return "tag", slug
        if folded in self._tag_names:
            return "tag", self._tag_names[folded]
        return kind, slug

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
                label = f'"{record.display_name or record.email}"'
                self.summary.skip("authors", "no login", item=label)
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

    def _declared(
        self, kind: str, records: list, nicename: Callable[[Any], str], names: dict[str, str]
    ) -> dict:
        """The term records by nicename (slug), or by the slug of their name when they
        have none; their names go to `names`. A record with neither is skipped, and so is
        one without a term id whose slug has no Latin letters (nothing to match it on)."""
        by_nicename = {}
        for record in records:
            key = nicename(record) or sanitize_title(record.name) or record.name.strip()
            label = f'"{html.unescape(record.name)}"' + (
                f" (term_id {record.term_id})" if record.term_id else ""
            )
            if not key:
                self.summary.skip(kind, "no nicename and no name", item=label)
            elif record.term_id is None and not slug_base(key, fallback=""):
                self.summary.skip(kind, "no term_id and no slug in Latin letters", item=label)
            else:
                by_nicename[key] = record
                names.setdefault(html.unescape(record.name or key).strip().casefold(), key)
        return by_nicename

    def _import_categories(self, records: list[WxrCategory]) -> None:
        by_nicename = self._declared(
            "categories", records, lambda r: r.nicename, self._category_names
        )
        known = by_nicename.keys() | self.category_by_nicename.keys()
        for record in by_nicename.values():
            # WXR 1.0 names a category's parent by its name, later versions by nicename.
            if record.parent and record.parent not in known:
                folded = html.unescape(record.parent).strip().casefold()
                record.parent = self._category_names.get(folded, record.parent)
        parents, notes = category_parents(records=by_nicename, known=self.category_by_nicename)
        self.summary.notes.update(notes)
        # A parent outside this batch was written earlier in this import.
        depths = tree_depths(
            parents, outside=lambda nicename: self.category_by_nicename[nicename][1]
        )

        existing = Category.objects.in_bulk(
            [r.term_id for r in by_nicename.values() if r.term_id], field_name="wordpress_id"
        )
        taken = set(Category.objects.values_list("slug", flat=True))
        # Parents first, so each child's tree path is computed from its final parent.
        for nicename in sorted(by_nicename, key=depths.__getitem__):
            record = by_nicename[nicename]
            parent_nicename = parents[nicename]
            if record.term_id is None:
                category = self._by_slug(
                    Category, "categories", nicename, record.name,
                    note="category without a term_id (matched on its slug)",
                    description=html.unescape(record.description),
                    parent_id=(
                        self.category_by_nicename[parent_nicename][0] if parent_nicename else None
                    ),
                )  # fmt: skip
                taken.add(category.slug)
                self.category_by_nicename[nicename] = (category.pk, depths[nicename])
                continue
            category = existing.get(record.term_id)
            if category is not None:
                taken.discard(category.slug)
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
        declared = self._declared("tags", records, lambda r: r.slug, self._tag_names)
        by_slug = {nicename: r for nicename, r in declared.items() if r.term_id is not None}
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
        for nicename, record in declared.items():
            if record.term_id is None:
                note = "tag without a term_id (matched on its slug)"
                tag = self._by_slug(Tag, "tags", nicename, record.name, note=note)
                self.tag_by_slug[nicename] = tag.pk

    def _undeclared(self, model: type[Category | Tag], kind: str, nicename: str, name: str):
        """The row for a term a post names but the file does not declare: matched on its
        slug, or created (at the top level), as WordPress's importer does. None when the
        nicename gives no slug."""
        if not slug_base(nicename, fallback=""):
            return None
        note = f"{model._meta.verbose_name} named by a post but not declared in the file"
        return self._by_slug(model, kind, nicename, name, note=note)

    def _by_slug(
        self,
        model: type[Category | Tag],
        kind: str,
        nicename: str,
        name: str,
        *,
        note: str,
        **values: Any,
    ) -> Category | Tag:
        """A term known by its slug only (no term id to match on): the row with that slug,
        left as it is (it may be one made here), as WordPress's importer matches terms;
        else a new row with `values`, without a `wordpress_id`."""
        slug = slug_base(nicename, fallback="")
        self.summary.note(note)
        term = model.objects.filter(slug=slug).order_by().first()
        if term is None:
            name = html.unescape(name or nicename)[:100]
            term = model.objects.create(name=name, slug=slug, **values)
            self.summary.count(kind, "created")
        else:
            self.summary.count(kind, "unchanged")
        return term
