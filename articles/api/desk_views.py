"""The newsroom desk's staff API: what a frontend's editing tools ask for on behalf of a
signed-in editor. Staff only (plumbing.staff_api), with the admin's model permissions."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse

from articles.models import Article
from articles.previews import preview_expires_at, preview_token
from plumbing.api_docs import ERROR_401, ERROR_403, ERROR_404
from plumbing.staff_api import StaffOnly

PreviewTokenSerializer = inline_serializer(
    name="PreviewToken",
    fields={
        "token": serializers.CharField(help_text="Pass as `?preview=` to the article's detail."),
        "expires_at": serializers.DateTimeField(),
        "url": serializers.URLField(
            help_text="The article's API detail with the token: what a preview route fetches."
        ),
    },
)


class ArticlePreviewTokenView(StaffOnly, generics.GenericAPIView):
    # Issuing a token is an action (POST: never cached, needs `change_article`).
    queryset = Article.objects.only("id", "slug")
    lookup_field = "slug"
    serializer_class = None

    @extend_schema(
        summary="A preview token for an article, whatever its status",
        description=(
            "A signed token that opens this article (a draft, in review, scheduled) on "
            "`GET /api/v1/articles/{slug}/?preview=TOKEN` until `expires_at` "
            "(ARTICLE_PREVIEW_SECONDS). It opens no other article. Needs the admin's "
            "`change article` permission."
        ),
        request=None,
        responses={200: PreviewTokenSerializer, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404},
    )
    def post(self, request, slug: str):
        article = get_object_or_404(self.get_queryset(), slug=slug)
        token = preview_token(article=article)
        detail = reverse("api:article-detail", kwargs={"slug": article.slug}, request=request)
        return Response(
            {
                "token": token,
                "expires_at": preview_expires_at(issued_at=timezone.now()),
                "url": f"{detail}?preview={token}",
            },
            headers={"Cache-Control": "private, no-store"},
        )
