"""The yardsticks: the article list's first page and the article detail without the
project's API code, served by the same gunicorn through the same middleware.

- Bare Django: the same articles, with the fields the API shows (the list's own
  articles.selectors.LIST_COLUMNS), read with `.values()` and answered with JsonResponse:
  what a hand-written Django view costs.
- Plain DRF: ListAPIView and RetrieveAPIView over ModelSerializers (bench/serializers.py)
  with DRF's own PageNumberPagination (a COUNT per page): what the same API costs built
  the way the DRF tutorial builds it.

None of these paths is under API_RESPONSE_CACHE_PATH_PREFIXES (/api/v1/, /wp-json/), so the
response cache never answers or stores them: every request runs its queries.
"""

from collections import defaultdict

from django.http import Http404, JsonResponse
from django.utils import timezone
from rest_framework import generics, pagination

from articles.models import Article
from articles.selectors import LIST_COLUMNS
from bench.serializers import ArticleDetailSerializer, ArticleListSerializer
from comments.models import ModerationPolicy
from comments.selectors import comments_open_for

DETAIL_COLUMNS = (*LIST_COLUMNS, "body", "comments_message", "comments_enabled")


def _tags_by_article(article_ids: list[int]) -> dict[int, list[dict]]:
    tags = defaultdict(list)
    for row in Article.tags.through.objects.filter(article_id__in=article_ids).values(
        "article_id", "tag__name", "tag__slug"
    ):
        tags[row["article_id"]].append({"name": row["tag__name"], "slug": row["tag__slug"]})
    return tags


def article_list_values(request):
    articles = list(
        Article.objects.visible().order_by("-published_at", "-id").values(*LIST_COLUMNS)[:20]
    )
    tags = _tags_by_article([a["id"] for a in articles])
    for article in articles:
        article["tags"] = tags[article["id"]]
    return JsonResponse({"results": articles})


def article_detail_values(request, slug):
    article = Article.objects.visible().filter(slug=slug).values(*DETAIL_COLUMNS).first()
    if article is None:
        raise Http404
    article["tags"] = _tags_by_article([article["id"]])[article["id"]]
    # The two fields the site's moderation policy decides, as the API detail has them.
    policy = ModerationPolicy.load()
    open_now = comments_open_for(
        article=Article(
            comments_enabled=article.pop("comments_enabled"), published_at=article["published_at"]
        ),
        policy=policy,
        now=timezone.now(),
    )
    article["comments_open"] = open_now
    article["reaction_label"] = policy.reaction_label if policy.reactions_enabled else None
    return JsonResponse(article)


class ArticlePagination(pagination.PageNumberPagination):
    page_size = 20


def _visible_articles():
    return (
        Article.objects.visible()
        .order_by("-published_at", "-id")
        .select_related("category", "author", "lead_image")
        .prefetch_related("tags")
    )


class ArticleListView(generics.ListAPIView):
    serializer_class = ArticleListSerializer
    pagination_class = ArticlePagination

    def get_queryset(self):
        return _visible_articles()


class ArticleDetailView(generics.RetrieveAPIView):
    serializer_class = ArticleDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return _visible_articles()

    def get_serializer_context(self):
        return super().get_serializer_context() | {
            "policy": ModerationPolicy.load(),
            "now": timezone.now(),
        }
