"""Output serializers of the public articles API (read-only: the public writes nothing here)."""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix
from django.urls import reverse as django_reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.reverse import reverse

from articles import links, search
from articles.images import body_with_media_origin, image_of, image_of_columns
from articles.models import Article, Author, Category, Tag
from comments.selectors import comments_open_for
from plumbing.representation import datetime_text


class CategoryRefSerializer(serializers.ModelSerializer):
    path = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Category
        fields = ["name", "slug", "path"]


class TagRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["name", "slug"]


class AuthorRefSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()


class FocalPointSerializer(serializers.Serializer):
    x = serializers.FloatField(min_value=0, max_value=1, help_text="From the left, 0 to 1.")
    y = serializers.FloatField(min_value=0, max_value=1, help_text="From the top, 0 to 1.")


class LeadImageSerializer(serializers.Serializer):
    """A picture from the media library, with its renditions."""

    url = serializers.URLField(help_text="The original file (or where it lives, if not uploaded).")
    width = serializers.IntegerField(allow_null=True, help_text="Of the original, in pixels.")
    height = serializers.IntegerField(allow_null=True)
    alt = serializers.CharField(help_text="Alternative text; never empty.")
    caption = serializers.CharField(allow_blank=True)
    credit = serializers.CharField(allow_blank=True)
    focal_point = FocalPointSerializer(
        allow_null=True, help_text="Where the subject is: crop around it (CSS object-position)."
    )
    srcset = serializers.CharField(
        allow_blank=True,
        help_text=(
            'Renditions in the original\'s format, for <img srcset>: "url 480w, url 960w". '
            "Empty until the renditions are made (a few seconds after the upload)."
        ),
    )
    webp_srcset = serializers.CharField(
        allow_blank=True,
        help_text="The same widths in WebP, for <picture><source type=image/webp>.",
    )


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    path = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Ancestor slugs, root first."
    )
    article_count = serializers.IntegerField(
        read_only=True, help_text="Visible articles in this category and its descendants."
    )

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description", "parent", "path", "article_count"]

    def to_representation(self, category: Category) -> dict:
        # What the declared fields give (a test compares the two), written directly: the
        # categories list is read in full by every site's navigation.
        parent = category.parent
        return {
            "id": int(category.pk),
            "name": str(category.name),
            "slug": str(category.slug),
            "description": str(category.description),
            "parent": None if parent is None else str(parent.slug),
            "path": [str(slug) for slug in category.path],
            "article_count": int(category.article_count),
        }


class TagSerializer(serializers.ModelSerializer):
    article_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Tag
        fields = ["id", "name", "slug", "article_count"]


class AuthorSerializer(serializers.ModelSerializer):
    """A byline's public page: never its email or account."""

    article_count = serializers.IntegerField(read_only=True, help_text="Visible articles.")

    class Meta:
        model = Author
        fields = ["id", "name", "slug", "bio", "article_count"]


class SearchSnippetField(serializers.CharField):
    """The body's passage that matched a search, as HTML whose only markup is `<mark>`
    around the words found (articles/search.py). Present only when the list is a search:
    required=False, so the schema says it is optional and DRF skips it when the row or
    article has none."""

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, **kwargs)

    def to_representation(self, value) -> str:
        return search.snippet_html(str(value))


class ArticleListSerializer(serializers.ModelSerializer):
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    tags = TagRefSerializer(many=True, read_only=True)
    author = AuthorRefSerializer(read_only=True, allow_null=True)
    lead_image = LeadImageSerializer(read_only=True, allow_null=True)
    comment_count = serializers.IntegerField(read_only=True, help_text="Approved comments.")
    url = serializers.SerializerMethodField()
    # A visible article always has a publication time: not nullable in the schema.
    published_at = serializers.DateTimeField(
        read_only=True, help_text="When the article went live (newest first in lists)."
    )
    search_snippet = SearchSnippetField(
        help_text=(
            "With `search` only: the body's passage that matches best, as HTML whose only "
            "tags are `<mark>` around the words found (everything else escaped); the "
            "body's beginning when the words were found elsewhere (title, excerpt, tags)."
        )
    )

    class Meta:
        model = Article
        # Output only: every field is present in every answer (generated clients type
        # them as required, not optional).
        read_only_fields = ["title", "slug", "excerpt"]
        fields = [
            "id",
            "title",
            "slug",
            "excerpt",
            "category",
            "tags",
            "author",
            "lead_image",
            "published_at",
            "updated_at",
            "comment_count",
            "url",
            "search_snippet",
        ]

    def to_representation(self, article: Article | dict) -> dict:
        """The same dict DRF's generic path builds (tests compare the two), written
        directly: a page of 20 articles in a fraction of the time, with no nested
        serializer or per-row URL resolution. A field without a direct writer here (a
        new one) goes through DRF's own machinery, so nothing is ever left out.

        The public list hands in rows (dicts of selectors.LIST_ROW_COLUMNS plus their
        `tags`) rather than model instances: reading them costs a fraction."""
        if isinstance(article, dict):
            return {
                name: _ROW_WRITERS[name](self, article)
                for name in self.Meta.fields
                if name in article or name not in _ROW_FIELDS_IF_READ
            }
        data = {}
        for name in self.Meta.fields:
            write = _DIRECT_WRITERS.get(name)
            if write is not None:
                data[name] = write(self, article)
                continue
            declared = self._declared_fields.get(name)
            if type(declared) is serializers.SerializerMethodField:
                data[name] = getattr(self, declared.method_name or f"get_{name}")(article)
                continue
            field = self.fields[name]
            try:
                attribute = field.get_attribute(article)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            data[name] = None if check_for_none is None else field.to_representation(attribute)
        return data

    @extend_schema_field(
        serializers.URLField(
            help_text=(
                "Where readers read the article: the frontend's page when the site sets "
                "ARTICLE_PATH_TEMPLATE, else this API's detail."
            )
        )
    )
    def get_url(self, article: Article) -> str:
        return self.page_url_of(article.slug)

    def page_url_of(self, slug: str) -> str:
        """Where readers read the article: the frontend's page when ARTICLE_PATH_TEMPLATE
        (and SITE_URL) describe it (articles/links.py, as feeds and emails link), else
        this API's own detail."""
        if settings.ARTICLE_PATH_TEMPLATE:
            return links.absolute(settings.ARTICLE_PATH_TEMPLATE.format(slug=slug))
        return self.url_of(slug)

    def url_of(self, slug: str) -> str:
        if _PLAIN_SLUG.match(slug):
            # reverse() once per serializer: the detail URL is the list URL + slug + "/".
            prefix = getattr(self, "_article_url_prefix", None)
            if prefix is None:
                request = self.context.get("request")
                path = _article_list_path(get_script_prefix())
                prefix = request.build_absolute_uri(path) if request is not None else path
                self._article_url_prefix = prefix
            return f"{prefix}{slug}/"
        return reverse(
            "api:article-detail", kwargs={"slug": slug}, request=self.context.get("request")
        )


class ArticleDetailSerializer(ArticleListSerializer):
    body_html = serializers.CharField(source="body", read_only=True, help_text="Sanitized HTML.")
    comments_open = serializers.SerializerMethodField()
    comments_message = serializers.CharField(
        read_only=True,
        help_text="Plain text shown above the comments (house rules, a note); may be empty.",
    )
    comments_url = serializers.SerializerMethodField()
    reaction_label = serializers.SerializerMethodField()

    class Meta(ArticleListSerializer.Meta):
        fields = [
            name for name in ArticleListSerializer.Meta.fields if name != "search_snippet"
        ] + [
            "body_html",
            "comments_open",
            "comments_message",
            "comments_url",
            "reaction_label",
        ]

    @extend_schema_field(serializers.BooleanField())
    def get_comments_open(self, article: Article) -> bool:
        # The view puts the site's moderation policy and the request time in the context.
        return comments_open_for(
            article=article, policy=self.context["policy"], now=self.context["now"]
        )

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
            help_text=(
                "The label of the one reaction readers can give a comment (e.g. "
                '"Respect"); null when reactions are turned off.'
            ),
        )
    )
    def get_reaction_label(self, article: Article) -> str | None:
        policy = self.context["policy"]
        return policy.reaction_label if policy.reactions_enabled else None

    @extend_schema_field(serializers.URLField())
    def get_comments_url(self, article: Article) -> str:
        # The comments collection lives under the article's API URL.
        return self.url_of(article.slug) + "comments/"


# --- the article serializers' direct writers -------------------------------------------
# Each gives exactly what the declared field would: DRF's CharField/SlugField are str(),
# IntegerField int(), DateTimeField its ISO 8601 form in the current time zone.

_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")


@lru_cache(maxsize=16)
def _article_list_path(script_prefix: str) -> str:
    """The list's path under this script prefix (what DRF's reverse() with a request
    makes absolute: the API has no versioning scheme), resolved once, not per request."""
    return django_reverse("api:article-list")


def _tags(article: Article) -> list:
    # The prefetched tags, read from the prefetch cache: `article.tags.all()` builds a
    # related manager per row, the costliest step of a page (the same rows either way).
    prefetched = getattr(article, "_prefetched_objects_cache", {}).get("tags")
    tags = article.tags.all() if prefetched is None else prefetched
    return [{"name": str(tag.name), "slug": str(tag.slug)} for tag in tags]


def _category_ref(category: Category | None) -> dict | None:
    if category is None:
        return None
    return {
        "name": str(category.name),
        "slug": str(category.slug),
        "path": [str(slug) for slug in category.path],
    }


def _author_ref(author) -> dict | None:
    if author is None:
        return None
    return {"name": str(author.name), "slug": str(author.slug)}


_DIRECT_WRITERS = {
    "id": lambda s, article: int(article.pk),
    "title": lambda s, article: str(article.title),
    "slug": lambda s, article: str(article.slug),
    "excerpt": lambda s, article: str(article.excerpt),
    "category": lambda s, article: _category_ref(article.category),
    "tags": lambda s, article: _tags(article),
    "author": lambda s, article: _author_ref(article.author),
    "lead_image": lambda s, article: _absolute_image(s, image_of(article.lead_image)),
    "published_at": lambda s, article: datetime_text(s, article.published_at),
    "updated_at": lambda s, article: datetime_text(s, article.updated_at),
    "comment_count": lambda s, article: int(article.comment_count),
    "url": lambda s, article: s.get_url(article),
    "body_html": lambda s, article: _absolute_media_urls(s, str(article.body)),
    "comments_message": lambda s, article: str(article.comments_message),
}


def _category_of_row(row: dict) -> dict | None:
    if row["category_id"] is None:
        return None
    slug = str(row["category__slug"])
    return {
        "name": str(row["category__name"]),
        "slug": slug,
        "path": Category.path_of(slug_path=row["category__slug_path"], slug=slug),
    }


def _author_of_row(row: dict) -> dict | None:
    if row["author_id"] is None:
        return None
    return {"name": str(row["author__name"]), "slug": str(row["author__slug"])}


def _media_origin(serializer) -> str:
    """The scheme and host uploaded media are served from, when MEDIA_URL is a path:
    frontends on another origin get URLs they can load ("" when there is no request)."""
    origin = serializer.__dict__.get("_media_origin")
    if origin is None:
        request = serializer.context.get("request")
        relative = settings.MEDIA_URL.startswith("/")
        origin = request.build_absolute_uri("/")[:-1] if request is not None and relative else ""
        serializer._media_origin = origin
    return origin


def _absolute(origin: str, url: str) -> str:
    return origin + url if origin and url.startswith("/") else url


def _absolute_image(serializer, image: dict | None) -> dict | None:
    if image is None:
        return None
    origin = _media_origin(serializer)
    if origin:
        image["url"] = _absolute(origin, image["url"])
        for key in ("srcset", "webp_srcset"):
            if image[key]:
                image[key] = ", ".join(
                    _absolute(origin, candidate) for candidate in image[key].split(", ")
                )
    return image


def _absolute_media_urls(serializer, body: str) -> str:
    return body_with_media_origin(body, _media_origin(serializer))


def _lead_image_of_row(row: dict) -> dict | None:
    if row["lead_image_id"] is None:
        return None
    return image_of_columns(row, prefix="lead_image__")


# The same outputs from a list row (articles.selectors.public_article_rows); a list field
# without a writer here fails every list request, and the tests.
_ROW_WRITERS = {
    "id": lambda s, row: int(row["id"]),
    "title": lambda s, row: str(row["title"]),
    "slug": lambda s, row: str(row["slug"]),
    "excerpt": lambda s, row: str(row["excerpt"]),
    "category": lambda s, row: _category_of_row(row),
    "tags": lambda s, row: row["tags"],
    "author": lambda s, row: _author_of_row(row),
    "lead_image": lambda s, row: _absolute_image(s, _lead_image_of_row(row)),
    "published_at": lambda s, row: datetime_text(s, row["published_at"]),
    "updated_at": lambda s, row: datetime_text(s, row["updated_at"]),
    "comment_count": lambda s, row: int(row["comment_count"]),
    "url": lambda s, row: s.page_url_of(row["slug"]),
    "search_snippet": lambda s, row: search.snippet_html(str(row["search_snippet"])),
}
# Written only when the page's rows were read with them (a search's snippets).
_ROW_FIELDS_IF_READ = frozenset({"search_snippet"})
