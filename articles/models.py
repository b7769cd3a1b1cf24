"""Articles domain: categories (a tree), tags, authors and articles with a workflow."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from articles.images import body_with_renditions, library_ids_in
from articles.media import Image
from articles.sanitizer import sanitize_article_html


@models.CharField.register_lookup
class InLiterals(models.lookups.In):
    """`field__in_literals=[...]`: IN with the values written into the SQL instead of
    bound as parameters. SQLite uses a partial index only when the query's WHERE names
    the index's own condition, which it cannot know of bound values; PostgreSQL plans
    the two alike. For fixed code values only (a workflow's statuses): anything but
    lower-case words is refused rather than quoted."""

    lookup_name = "in_literals"

    def process_rhs(self, compiler, connection):
        values = list(self.rhs)
        if not all(isinstance(value, str) and value.isidentifier() for value in values):
            raise ValueError(f"in_literals takes code words only, not {values!r}")
        return "(" + ", ".join(f"'{value}'" for value in values) + ")", []


class CategoryQuerySet(models.QuerySet):
    def descendants_of(self, category: Category, *, include_self: bool = True):
        qs = self.filter(tree_path__startswith=category.tree_path)
        return qs if include_self else qs.exclude(pk=category.pk)

    def recount_subtrees(self, category_ids: set[int] | None = None) -> None:
        """Sum public_article_count over each subtree into public_subtree_count, for
        these categories (all when None); articles.category_counts keeps the former."""
        categories = self.all() if category_ids is None else self.filter(pk__in=category_ids)
        subtree = (
            Category.objects.filter(tree_path__startswith=OuterRef("tree_path"))
            .order_by()
            .annotate(n=Func(F("public_article_count"), function="SUM"))
            .values("n")
        )
        categories.update(public_subtree_count=Coalesce(Subquery(subtree), 0))


class Category(models.Model):
    """A node of the category tree (any depth).

    `tree_path` ("/1/5/9/": the ids from the root down to this node) makes "this
    category and all its descendants" one indexed prefix match; `slug_path`
    ("tech/tech-industry") gives the API its `path` without extra queries. Both are
    derived and kept current by `save()`, which also rewrites the descendants' paths
    when a slug or parent changes.
    """

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order among siblings.")
    # db_index on PostgreSQL also creates the varchar_pattern_ops index prefix matches use.
    tree_path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    slug_path = models.CharField(max_length=1024, editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)
    # The term id in the WordPress site this came from (import_wordpress matches on it).
    wordpress_id = models.PositiveBigIntegerField(
        null=True, blank=True, unique=True, editable=False
    )
    # Articles filed directly here that are published or scheduled, whatever their date,
    # and the same over this category and all its descendants: kept by
    # articles.category_counts on every article write and category move, so a public
    # count is read, not counted (less the few articles dated in the future).
    public_article_count = models.PositiveIntegerField(default=0, editable=False)
    public_subtree_count = models.PositiveIntegerField(default=0, editable=False)

    objects = CategoryQuerySet.as_manager()
    COUNTERS = ("public_article_count", "public_subtree_count")

    class Meta:
        ordering = ["tree_path"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.tree_path.count("/") - 2, 0)

    @property
    def path(self) -> list[str]:
        return self.path_of(slug_path=self.slug_path, slug=self.slug)

    @staticmethod
    def path_of(*, slug_path: str, slug: str) -> list[str]:
        """The ancestor slugs, root first, from the stored `slug_path` (for readers that
        have the columns, not an instance: the list's rows, the expanded cards)."""
        return slug_path.split("/") if slug_path else [slug]

    def clean(self) -> None:
        super().clean()
        if self.parent_id and self.pk:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": "A category cannot be its own parent."})
            parent = Category.objects.only("tree_path").get(pk=self.parent_id)
            if self.tree_path and parent.tree_path.startswith(self.tree_path):
                raise ValidationError(
                    {"parent": "A category cannot move under its own descendant."}
                )

    def _computed_paths(self) -> tuple[str, str]:
        if self.parent_id:
            parent = Category.objects.only("tree_path", "slug_path").get(pk=self.parent_id)
            return f"{parent.tree_path}{self.pk}/", f"{parent.slug_path}/{self.slug}"
        return f"/{self.pk}/", self.slug

    @transaction.atomic
    def save(self, *args, **kwargs):
        stored_tree_path = (
            Category.objects.filter(pk=self.pk).values_list("tree_path", flat=True).first()
            if self.pk
            else None
        )
        if stored_tree_path is not None and kwargs.get("update_fields") is None:
            # The stored counts are articles.category_counts' to write: an instance read
            # before an article was published must not put its old numbers back.
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.COUNTERS
            ]
        super().save(*args, **kwargs)
        tree_path, slug_path = self._computed_paths()
        if (
            stored_tree_path
            and tree_path != stored_tree_path
            and tree_path.startswith(stored_tree_path)
        ):
            # Rolled back with the transaction; clean() reports this nicely in forms.
            raise ValidationError("A category cannot move under its own descendant.")
        if (tree_path, slug_path) == (self.tree_path, self.slug_path) and stored_tree_path:
            return
        self.tree_path, self.slug_path = tree_path, slug_path
        Category.objects.filter(pk=self.pk).update(tree_path=tree_path, slug_path=slug_path)
        if stored_tree_path:
            self._rewrite_descendant_paths(stored_tree_path)
            # Its subtree's counts leave the old ancestors for the new ones.
            Category.objects.recount_subtrees()

    def _rewrite_descendant_paths(self, previous_tree_path: str) -> None:
        # Parents sort before their children by path length, so each child's parent
        # is already rewritten when the child is.
        descendants = sorted(
            Category.objects.filter(tree_path__startswith=previous_tree_path).exclude(pk=self.pk),
            key=lambda c: len(c.tree_path),
        )
        paths = {self.pk: (self.tree_path, self.slug_path)}
        for child in descendants:
            parent_tree, parent_slugs = paths[child.parent_id]
            child.tree_path = f"{parent_tree}{child.pk}/"
            child.slug_path = f"{parent_slugs}/{child.slug}"
            paths[child.pk] = (child.tree_path, child.slug_path)
        Category.objects.bulk_update(descendants, ["tree_path", "slug_path"])


class Tag(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    updated_at = models.DateTimeField(auto_now=True)
    wordpress_id = models.PositiveBigIntegerField(
        null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Author(models.Model):
    """A byline. Not every byline is an account, so the link to a user is optional."""

    name = models.CharField("display name", max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    bio = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Private: the author's address for notifications; never in the public API.
    email = models.EmailField(blank=True, help_text="For notifications only; never published.")
    wordpress_login = models.CharField(
        max_length=60, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# What `visible()` returns is among these (with a publication time that has come).
PUBLIC_STATUSES = ["published", "scheduled"]
# The public list's order, and its tie-break: the one the public index serves
# (article_public_recent). The list, its FilterSet's default and the search's window.
NEWEST_FIRST = ("-published_at", "-id")
# The article's own columns the public sees (API, feeds, sitemaps; comments_enabled
# through comments_open). Its tags are public too; their changes are signalled apart.
PUBLIC_FIELDS = (
    "title",
    "slug",
    "excerpt",
    "body",
    "category_id",
    "author_id",
    "lead_image_id",
    "status",
    "published_at",
    "comments_enabled",
    "comments_message",
)


class ArticleQuerySet(models.QuerySet):
    def visible(self, now=None):
        """Articles the public may read: published or scheduled, with a publication
        time that has come. Decided at query time, so no cron job is needed."""
        now = now or timezone.now()
        return self.filter(
            # The same words, in the same order, as the public indexes' condition.
            status__in_literals=PUBLIC_STATUSES,
            published_at__lte=now,
        )

    def in_category(self, category: Category):
        """Articles filed under the category or any of its descendants.

        Written so that SQLite reads the newest page from a partial index in order, with
        no sort: a category without children (`has_children` annotated False, as the
        list filter does) is one equality on article_public_cat_recent; a subtree is an
        IN over its category ids, checked while walking article_public_recent. (A join
        on the category's path made SQLite sort every match of a large subtree.)"""
        if getattr(category, "has_children", True) is False:
            return self.filter(category_id=category.pk)
        subtree = Category.objects.filter(tree_path__startswith=category.tree_path).values("pk")
        return self.filter(category_id__in=subtree)


class Article(models.Model):
    class Status(models.TextChoices):
        # A label not given is the member's name, capitalized ("Draft").
        DRAFT = "draft"
        REVIEW = "review", "In review"
        SCHEDULED = "scheduled"
        PUBLISHED = "published"
        ARCHIVED = "archived"

    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, unique=True)
    excerpt = models.TextField(blank=True)
    body = models.TextField(
        blank=True, help_text="HTML. Sanitized on save to an allowlist of tags and attributes."
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    lead_image = models.ForeignKey(
        "articles.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead_of",
        help_text="Shown at the top of the article and in lists.",
    )
    author = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the article goes (or went) live. Scheduled articles appear at this time.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by save() when a public field changes (PUBLIC_FIELDS), not on every save.
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    comments_enabled = models.BooleanField(
        default=True, help_text="Open for comments (a site-wide close still wins)."
    )
    comments_premoderate = models.BooleanField(
        default=False, help_text="Hold every comment on this article for moderation."
    )
    comments_premoderate_links = models.BooleanField(
        default=False, help_text="Hold comments with any link on this article."
    )
    comments_message = models.TextField(
        blank=True,
        max_length=1000,
        help_text="Plain text shown above the comments (house rules, a note on the story).",
    )
    # Approved comments, maintained by the comments services (never hand-edited), so
    # lists and ordering by comment count need no aggregate over the comments table.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    # When comment_count last changed: part of the detail's Last-Modified, without
    # touching `updated_at`, which readers see as the article's own update time.
    comments_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    wordpress_id = models.PositiveBigIntegerField(
        null=True, blank=True, unique=True, editable=False
    )

    history = HistoricalRecords(
        excluded_fields=["comment_count", "comments_changed_at", "updated_at", "wordpress_id"]
    )
    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            # The editors' lists of drafts, articles in review and the archive (the
            # admin's status filter). Partial, so it can never serve a public read: with
            # an index on (status, published_at) SQLite read the two public statuses
            # from it and sorted every visible row (7 ms at 5,000 articles, against
            # 0.03 ms from article_public_recent's head).
            models.Index(
                fields=["status", "-published_at", "-id"],
                name="article_workflow_recent",
                condition=~Q(status__in=PUBLIC_STATUSES),
            ),
            # The public list's order, holding only rows `visible()` can return: the newest
            # page is read from the index head whatever the table size (with the two
            # statuses as an IN list, the index above needs a sort of every match).
            models.Index(
                fields=["-published_at", "-id"],
                name="article_public_recent",
                condition=Q(status__in=PUBLIC_STATUSES),
                # PostgreSQL answers the categories' future-dated counts from the index
                # alone (selectors.attach_article_counts); SQLite ignores INCLUDE.
                include=["category"],
            ),
            models.Index(
                fields=["category", "-published_at", "-id"],
                name="article_public_cat_recent",
                condition=Q(status__in=PUBLIC_STATUSES),
            ),
            models.Index(fields=["category", "status", "-published_at"], name="article_cat_recent"),
            models.Index(
                fields=["author", "status", "-published_at"], name="article_author_recent"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("api:article-detail", kwargs={"slug": self.slug})

    @property
    def is_visible(self) -> bool:
        return (
            self.status in (self.Status.PUBLISHED, self.Status.SCHEDULED)
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    def clean(self) -> None:
        super().clean()
        if self.status == self.Status.SCHEDULED and not self.published_at:
            raise ValidationError({"published_at": "A scheduled article needs a publication time."})

    @transaction.atomic
    def save(self, *args, **kwargs):
        self.body = sanitize_article_html(self.body)
        if ids := library_ids_in(self.body):
            # Library pictures get their renditions (srcset); sanitized again after.
            pictures = Image.objects.filter(pk__in=ids).in_bulk()
            self.body = sanitize_article_html(body_with_renditions(self.body, pictures))
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        # What the public could see of the row before this save: read by the receivers
        # that act only on public changes (the response cache, the category counts).
        previous = (
            Article.objects.filter(pk=self.pk).values(*PUBLIC_FIELDS).first() if self.pk else None
        )
        self._public_state_before = previous
        if previous is None or self.public_fields_changed(previous):
            # The public "updated" date (API, feeds, sitemaps): an edit of what only
            # staff see (moderation switches) leaves it, and every cached answer, alone.
            self.updated_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "updated_at"}
        if previous:
            was_live = previous["status"] in PUBLIC_STATUSES
            if was_live and previous["slug"] != self.slug and previous["published_at"]:
                ArticleSlugRedirect.objects.update_or_create(
                    old_slug=previous["slug"], defaults={"article": self}
                )
        # A slug in use again by a live article no longer redirects anywhere.
        ArticleSlugRedirect.objects.filter(old_slug=self.slug).delete()
        super().save(*args, **kwargs)

    def public_fields_changed(self, previous: dict) -> bool:
        """Whether this instance differs from `previous` (a values() row of
        PUBLIC_FIELDS) in anything the public sees."""
        return any(previous[name] != getattr(self, name) for name in PUBLIC_FIELDS)


class ArticleSlugRedirect(models.Model):
    """An old slug of a published article, answering 301 to the article's current URL."""

    old_slug = models.SlugField(max_length=255, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.article.slug}"


class ArticleSearchDocument(models.Model):
    """The words an article is found by: its title, excerpt, body text (no markup),
    and its category and tag names (`terms`), one row per article, written by
    articles/search.py in the transaction that changes any of them.

    On PostgreSQL a table with a weighted `tsvector` column (`document`, generated from
    these columns) and its GIN index; on SQLite an FTS5 virtual table. Its key is named
    `rowid` on both, since that is how FTS5 keys its rows. The tables are created by
    SQL (migration 0012; articles/search.py recreates them for another language), not
    by Django's schema editor: a change to this model needs SQL written for both.
    """

    article = models.OneToOneField(
        Article,
        primary_key=True,
        db_column="rowid",
        # Deleted by articles/search.py with the article (and by the foreign key's
        # ON DELETE CASCADE on PostgreSQL), not by Django's collector, which would list
        # it on the admin's delete confirmation.
        on_delete=models.DO_NOTHING,
        related_name="search_document",
    )
    title = models.TextField()
    excerpt = models.TextField()
    body = models.TextField()
    terms = models.TextField()

    class Meta:
        db_table = "articles_search"

    def __str__(self) -> str:
        return self.title


class ArticleWordIndex(models.Model):
    """Where each word of a document's body begins, and its stem (articles/snippets.py,
    `word_index`), with the body's text (`text`): what a search's snippet needs, made
    once when the body is indexed rather than on every search, and read in one lookup.
    Written with the document by articles/search_index.py where Python makes the
    snippets (PostgreSQL, a Snowball language); absent elsewhere, where the snippet is
    made from the body as before. A plain table, not columns of the document's: it is
    filled, or emptied when the language changes, without rewriting the documents and
    their GIN index."""

    document = models.OneToOneField(
        ArticleSearchDocument,
        primary_key=True,
        db_column="rowid",
        # No constraint: on SQLite the documents are an FTS5 virtual table. The rows go
        # with their documents (search_index), and a stray one is never read.
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="word_index",
    )
    words = models.TextField()
    text = models.TextField()  # the document's body, a copy (docs/search.md, "Snippets")

    class Meta:
        db_table = "articles_search_words"

    def __str__(self) -> str:
        return f"words of {self.document_id}"
