"""The project's URLs plus the bare-Django yardstick, served by the same gunicorn."""

from django.urls import path

from bench.views import article_list_values
from cms import urls as cms_urls

urlpatterns = [
    path("bench/articles/", article_list_values, name="bench-articles"),
    *cms_urls.urlpatterns,
]

handler400 = cms_urls.handler400
handler403 = cms_urls.handler403
handler404 = cms_urls.handler404
handler500 = cms_urls.handler500
