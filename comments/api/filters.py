import django_filters
from django.db.models import Q

from articles.models import Article
from comments.models import Comment


class ModerationCommentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Comment.Status.choices)
    article = django_filters.ModelChoiceFilter(
        queryset=Article.objects.only("id", "slug"),
        to_field_name="slug",
        error_messages={"invalid_choice": "No article with this slug."},
        help_text="Article slug.",
    )
    email = django_filters.CharFilter(method="filter_email", max_length=254)
    search = django_filters.CharFilter(method="filter_search", max_length=200)

    class Meta:
        model = Comment
        fields = ["status", "article", "email", "search"]

    def filter_email(self, queryset, name, value):
        return queryset.filter(author_email=value.strip().lower())

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(author_name__icontains=value)
            | Q(author_email__icontains=value)
            | Q(body__icontains=value)
        )
