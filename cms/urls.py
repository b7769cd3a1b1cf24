import re

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from articles import feeds as article_feeds
from articles.api.urls import urlpatterns as articles_api
from articles.sitemaps import SITEMAPS
from comments import feeds as comment_feeds
from comments.api.urls import urlpatterns as comments_api
from plumbing.health import healthz

api_v1 = (articles_api + comments_api, "api")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("", include("wordpress_api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script as a file: no inline script, so the
    # page works under our Content-Security-Policy.
    # GET only: the page has nothing to say to OPTIONS (its HTML renderer has no template
    # for DRF's metadata answer), so other methods get a plain 405.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", http_method_names=["get", "head"]),
        name="api-docs",
    ),
    path("healthz", healthz, name="healthz"),
    path("feeds/articles/", article_feeds.LatestArticlesFeed(), name="feed-articles"),
    path("feeds/articles/atom/", article_feeds.LatestArticlesAtomFeed(), name="feed-articles-atom"),
    path(
        "feeds/categories/<slug:slug>/",
        article_feeds.CategoryArticlesFeed(),
        name="feed-category",
    ),
    path("feeds/tags/<slug:slug>/", article_feeds.TagArticlesFeed(), name="feed-tag"),
    path(
        "feeds/articles/<slug:slug>/comments/",
        comment_feeds.ArticleCommentsFeed(),
        name="feed-article-comments",
    ),
    # A sitemap index, one sitemap per section, each paginated (?p=) past 5,000 entries.
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
]

if settings.SERVE_MEDIA and settings.MEDIA_URL.startswith("/"):
    # Uploaded pictures in development (make run); production serves var/media/ from
    # nginx (deploy/nginx.conf) or an S3-compatible store.
    urlpatterns.append(
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )

handler400 = "plumbing.errors.handler400"
handler403 = "plumbing.errors.handler403"
handler404 = "plumbing.errors.handler404"
handler500 = "plumbing.errors.handler500"
