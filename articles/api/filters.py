"""Filters of the public article list. Unknown slugs answer 400 naming the parameter."""

import datetime

import django_filters
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend

from articles import selectors
from articles.models import NEWEST_FIRST, Article, Author, Category, Tag
from plumbing.filters import StrictFilterSet


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, converted to UTC before it reaches the database: PostgreSQL
    refuses UTC offsets beyond ±15:59 that ISO 8601 and Python accept (`-19:19`), and an
    instant outside years 1-9999 once in UTC (`0001-01-01T00:00+05:00`) cannot be stored
    at all. Both are the client's mistake: 400, not a database error."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class UTCIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField


class ArticleOrderingFilter(django_filters.OrderingFilter):
    """The list's orders, and `relevance` (best matches first), with `search` only.
    ArticleFilter.filter_queryset orders the list itself, with its tie-breakers."""

    def build_choices(self, fields, labels):
        return [*super().build_choices(fields, labels), ("relevance", "Relevance")]

    def filter(self, qs, value):
        return qs


class ArticleFilter(StrictFilterSet):
    category = django_filters.ModelChoiceFilter(
        # Whether it has children decides the query (Article.objects.in_category); read
        # with the category, in the same query.
        queryset=Category.objects.only("id", "slug", "tree_path").annotate(
            has_children=Exists(Category.objects.filter(parent=OuterRef("pk")))
        ),
        to_field_name="slug",
        method="filter_category",
        help_text="Category slug; articles in its descendants are included.",
    )
    tag = django_filters.ModelChoiceFilter(
        queryset=Tag.objects.only("id", "slug"),
        to_field_name="slug",
        field_name="tags",
        help_text="Tag slug.",
    )
    author = django_filters.ModelChoiceFilter(
        queryset=Author.objects.only("id", "slug"),
        to_field_name="slug",
        help_text="Author slug.",
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text=(
            "Words to find in the title, excerpt, body, category or tags, as web search "
            'engines read them: every word (in any form: `announcing` finds "announce"), '
            '`"a phrase"` as written, `-word` excluded, `or` between alternatives. Best '
            "matches first unless `ordering` says otherwise; each item then has a "
            "`search_snippet`. See docs/search.md."
        ),
    )
    published_after = UTCIsoDateTimeFilter(
        field_name="published_at", lookup_expr="gte", help_text="ISO 8601 date-time, inclusive."
    )
    published_before = UTCIsoDateTimeFilter(
        field_name="published_at", lookup_expr="lte", help_text="ISO 8601 date-time, inclusive."
    )
    updated_after = UTCIsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=(
            "ISO 8601 date-time, inclusive: articles whose public content changed since then "
            "(a static site's incremental build). An article unpublished since is simply "
            "absent: rebuild from the full list to drop it."
        ),
    )
    ordering = ArticleOrderingFilter(
        fields=(
            ("published_at", "published_at"),
            ("title", "title"),
            ("comment_count", "comment_count"),
        ),
        help_text=(
            "published_at, -published_at (default), title, -title, comment_count, "
            "-comment_count, relevance (best matches first: the default with `search`, "
            "and only with it). Several keys, most significant first, either "
            "comma-separated (`ordering=-comment_count,title`) or repeated "
            "(`ordering=-comment_count&ordering=title`), as generated clients send arrays."
        ),
    )

    class Meta:
        model = Article
        fields = [
            "category",
            "tag",
            "author",
            "search",
            "published_after",
            "published_before",
            "updated_after",
        ]

    def __init__(self, data=None, *args, **kwargs):
        # A repeated `ordering` means the same as the comma-separated form (django-filter
        # would keep the last value only and drop the others without a word).
        if hasattr(data, "getlist") and len(data.getlist("ordering")) > 1:
            data = data.copy()
            data.setlist("ordering", [",".join(data.getlist("ordering"))])
        super().__init__(data, *args, **kwargs)

    # The query parameters this FilterSet reads, and its order when none is asked for.
    PARAMETERS = (*Meta.fields, "ordering")
    DEFAULT_ORDER = NEWEST_FIRST

    def filter_category(self, queryset, name, category):
        return queryset.in_category(category)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        data = getattr(self.form, "cleaned_data", {})
        relevance = "relevance" in (data.get("ordering") or [])
        # Not twice (is_valid() may be asked twice), nor for a search refused already.
        if (
            relevance
            and not data.get("search")
            and not {"ordering", "search"} & set(self.form.errors)
        ):
            self.form.add_error("ordering", "Order by relevance with a `search` only.")
        return valid and not self.form.errors

    @classmethod
    def search_alone(cls, params) -> str | None:
        """The search text, when `search` is the only parameter of this FilterSet asked
        for (no other filter, no order) and valid as the FilterSet would clean it:
        the view then searches without building the FilterSet, whose form and choice
        querysets cost a search about a millisecond (a tenth of it). None otherwise
        (the FilterSet answers, its errors included)."""
        if [name for name in cls.PARAMETERS if name in params] != ["search"]:
            return None
        values = params.getlist("search")
        if len(values) != 1:
            return None
        try:
            text = cls.base_filters["search"].field.clean(values[0])
        except ValidationError:
            return None
        return text or None

    @staticmethod
    def searched(queryset, text: str, *, alone_at=None):
        """The articles of `queryset` the text finds, annotated (search_articles): the
        newest SEARCH_RANK_WINDOW of them. `alone_at`: the queryset is the articles
        visible then, nothing else filtered (a search alone)."""
        return selectors.search_articles(
            queryset=queryset, text=text, window=settings.SEARCH_RANK_WINDOW, alone_at=alone_at
        )

    def filter_search(self, queryset, name, value):
        return queryset  # last, over what every other filter let through (filter_queryset)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # The search considers the newest of the articles it finds (SEARCH_RANK_WINDOW)
        # among those the other filters let through: it comes after them.
        text = self.form.cleaned_data.get("search")
        # A stable order: ties (same title, same count) are broken newest first. Empty
        # terms ("?ordering=,title,") are skipped, as OrderingFilter itself does.
        terms = [term for term in self.form.cleaned_data.get("ordering") or [] if term]
        ordering = terms or (["relevance"] if text else ["-published_at"])
        # What a search by relevance searched, for the view to read its page by
        # (ArticleViewSet.read_page): the articles the other filters let through.
        self.relevance_search = (queryset, text) if text and ordering == ["relevance"] else None
        if text:
            queryset = self.searched(queryset, text)
        ordering = ["-search_rank" if term == "relevance" else term for term in ordering]
        return queryset.order_by(*ordering, *self.DEFAULT_ORDER)


class ArticleFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend leaving its FilterSet on the view (`view.filterset`): the
    article list reads a search's page by what the FilterSet searched (read_page)."""

    def get_filterset(self, request, queryset, view):
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset
