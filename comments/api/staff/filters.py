"""Filters of the staff API: the moderation queue and the audit trail. Unknown values
answer 400 naming the parameter."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from articles.api.filters import UTCIsoDateTimeFilter
from articles.models import Article
from comments import search
from comments.api.inputs import MAX_ID
from comments.matching import normalize_email
from comments.models import Comment, ModerationAction, ReasonCode
from comments.selectors import MODERATION_ORDERINGS
from plumbing.filters import StrictFilterSet


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """`true` or `false`; anything else is a 400 naming the parameter (django-filter's
    BooleanFilter reads an unknown value as "no filter")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)


class ModerationCommentFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=Comment.Status.choices)
    article = django_filters.ModelChoiceFilter(
        queryset=Article.objects.only("id", "slug"),
        to_field_name="slug",
        error_messages={"invalid_choice": "No article with this slug."},
        help_text="Article slug.",
    )
    email = django_filters.CharFilter(method="filter_email", max_length=254)
    # Words, addresses and IPs: comments/search.py (docs/moderation.md, "Comment search").
    search = django_filters.CharFilter(method="filter_search", max_length=200)
    featured = StrictBooleanFilter(help_text="Editor's picks only (true) or none (false).")
    ordering = django_filters.ChoiceFilter(
        choices=[(name, name) for name in MODERATION_ORDERINGS],
        method="filter_ordering",
        help_text=(
            "newest (default), oldest, or priority: most reader reports, then most links, "
            "then new commenters, then oldest (the pending queue's order; index-backed "
            "with status=pending)."
        ),
    )

    class Meta:
        model = Comment
        fields = ["status", "article", "email", "search", "featured", "ordering"]

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*MODERATION_ORDERINGS[value])

    def filter_email(self, queryset, name, value):
        return queryset.filter(author_email=normalize_email(value))

    def filter_search(self, queryset, name, value):
        # `ordering`, when given, is applied after this filter and wins.
        return search.search_comments(queryset=queryset, text=value, best_first=True)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.Filter):
    """A database id: digits only, in range (a 400 naming the parameter otherwise)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ModerationActionFilter(StrictFilterSet):
    """Filters of the audit trail (/api/v1/moderation/actions/). Unknown values: 400."""

    comment = IdFilter(field_name="comment_id", help_text="Comment id.")
    article = django_filters.ModelChoiceFilter(
        field_name="comment__article",
        queryset=Article.objects.only("id", "slug"),
        to_field_name="slug",
        error_messages={"invalid_choice": "No article with this slug."},
        help_text="Article slug.",
    )
    actor = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.only("id", "username"),
        to_field_name="username",
        error_messages={"invalid_choice": "No user with this username."},
        help_text="The moderator's username.",
    )
    by = django_filters.ChoiceFilter(
        choices=[("staff", "staff"), ("pipeline", "pipeline")],
        method="filter_by",
        help_text="staff: decisions with an actor; pipeline: those without (steps, the author).",
    )
    reason = django_filters.ChoiceFilter(choices=ReasonCode.choices)
    to_status = django_filters.ChoiceFilter(choices=Comment.Status.choices)
    from_status = django_filters.ChoiceFilter(
        choices=[("new", "new"), *Comment.Status.choices],
        method="filter_from_status",
        help_text="A status, or `new` for the pipeline's first decision.",
    )
    step = django_filters.CharFilter(
        method="filter_step",
        max_length=200,
        help_text="A step's dotted path or its last part (`too_many_links`).",
    )
    created_after = UTCIsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="ISO 8601 date-time, inclusive."
    )
    created_before = UTCIsoDateTimeFilter(
        field_name="created_at", lookup_expr="lte", help_text="ISO 8601 date-time, inclusive."
    )

    class Meta:
        model = ModerationAction
        fields = [
            "comment",
            "article",
            "actor",
            "by",
            "reason",
            "to_status",
            "from_status",
            "step",
            "created_after",
            "created_before",
        ]

    def filter_by(self, queryset, name, value):
        return queryset.filter(actor__isnull=value == "pipeline")

    def filter_from_status(self, queryset, name, value):
        return queryset.filter(from_status="" if value == "new" else value)

    def filter_step(self, queryset, name, value):
        value = value.strip()
        if "." in value:
            return queryset.filter(step=value)
        return queryset.filter(Q(step=value) | Q(step__endswith=f".{value}"))
