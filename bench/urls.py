"""The project's URLs plus the yardsticks (bench/views.py), served by the same gunicorn."""

from django.urls import path

from bench import views
from cms import urls as cms_urls

urlpatterns = [
    path("bench/articles/", views.article_list_values, name="bench-articles"),
    path("bench/articles/<slug:slug>/", views.article_detail_values, name="bench-article"),
    path("bench/drf/articles/", views.ArticleListView.as_view(), name="bench-drf-articles"),
    path(
        "bench/drf/articles/<slug:slug>/",
        views.ArticleDetailView.as_view(),
        name="bench-drf-article",
    ),
    *cms_urls.urlpatterns,
]

handler400 = cms_urls.handler400
handler403 = cms_urls.handler403
handler404 = cms_urls.handler404
handler500 = cms_urls.handler500
