"""Public read API of the articles domain. Views only wire selectors to serializers."""

from django.http import Http404, HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.http import http_date
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.reverse import reverse

from articles import selectors
from articles.api.filters import ArticleFilter
from articles.api.serializers import (
    ArticleDetailSerializer,
    ArticleListSerializer,
    CategorySerializer,
    TagSerializer,
)
from articles.selectors import article_last_modified
from cms.api_docs import ERROR_400, ERROR_404
from comments.models import ModerationPolicy


@extend_schema_view(
    list=extend_schema(
        summary="List categories", responses={200: CategorySerializer(many=True), 404: ERROR_404}
    ),
    retrieve=extend_schema(
        summary="One category", responses={200: CategorySerializer, 404: ERROR_404}
    ),
)
class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    # Public reads: credentials are not needed, so a stale or wrong one is ignored
    # rather than refused with an (undocumented) 403.
    authentication_classes: list = []
    serializer_class = CategorySerializer
    lookup_field = "slug"
    filter_backends = []

    def get_queryset(self):
        return selectors.public_categories()


@extend_schema_view(
    list=extend_schema(
        summary="List tags", responses={200: TagSerializer(many=True), 404: ERROR_404}
    ),
    retrieve=extend_schema(summary="One tag", responses={200: TagSerializer, 404: ERROR_404}),
)
class TagViewSet(viewsets.ReadOnlyModelViewSet):
    # Public reads: credentials are not needed, so a stale or wrong one is ignored
    # rather than refused with an (undocumented) 403.
    authentication_classes: list = []
    serializer_class = TagSerializer
    lookup_field = "slug"
    filter_backends = []

    def get_queryset(self):
        return selectors.public_tags()


@extend_schema_view(
    list=extend_schema(
        summary="List visible articles, newest first",
        responses={200: ArticleListSerializer(many=True), 400: ERROR_400, 404: ERROR_404},
    ),
    retrieve=extend_schema(
        summary="One visible article",
        description=(
            "Answers with ETag and Last-Modified; a matching If-None-Match or "
            "If-Modified-Since gets 304. An old slug of a published article answers 301."
        ),
        responses={
            200: ArticleDetailSerializer,
            301: OpenApiResponse(description="The article moved to a new slug (Location header)."),
            304: OpenApiResponse(description="Not modified."),
            404: ERROR_404,
        },
    ),
)
class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    # Public reads: credentials are not needed, so a stale or wrong one is ignored
    # rather than refused with an (undocumented) 403.
    authentication_classes: list = []
    lookup_field = "slug"
    filterset_class = ArticleFilter

    def get_queryset(self):
        return selectors.public_articles()

    def get_serializer_class(self):
        return ArticleDetailSerializer if self.action == "retrieve" else ArticleListSerializer

    def retrieve(self, request, *args, **kwargs):
        try:
            response = super().retrieve(request, *args, **kwargs)
        except (Http404, NotFound):  # get_object() raises Django's Http404
            target = selectors.article_redirect_target(old_slug=kwargs["slug"])
            if target is None:
                raise
            url = reverse("api:article-detail", kwargs={"slug": target.slug}, request=request)
            return HttpResponsePermanentRedirect(url)
        # With ConditionalGetMiddleware this also answers If-Modified-Since with 304.
        last_modified = article_last_modified(self._article, policy=self._policy, now=self._now)
        response["Last-Modified"] = http_date(last_modified.timestamp())
        return response

    def get_object(self):
        self._article = super().get_object()
        return self._article

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "retrieve":
            self._policy, self._now = ModerationPolicy.load(), timezone.now()
            context.update(policy=self._policy, now=self._now)
        return context
