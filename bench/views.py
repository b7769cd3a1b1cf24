"""The bare-Django yardstick: the article list's first page without DRF.

The same 20 visible articles, newest first, with the fields the API item shows (the
API view's own LIST_COLUMNS), read with `.values()` and answered with JsonResponse: what
a hand-written Django view costs.
"""

from collections import defaultdict

from django.http import JsonResponse

from articles.api.views import LIST_COLUMNS
from articles.models import Article


def article_list_values(request):
    articles = list(
        Article.objects.visible().order_by("-published_at", "-id").values(*LIST_COLUMNS)[:20]
    )
    tags = defaultdict(list)
    for row in Article.tags.through.objects.filter(
        article_id__in=[a["id"] for a in articles]
    ).values("article_id", "tag__name", "tag__slug"):
        tags[row["article_id"]].append({"name": row["tag__name"], "slug": row["tag__slug"]})
    for article in articles:
        article["tags"] = tags[article["id"]]
    return JsonResponse({"results": articles})
