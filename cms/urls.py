from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from articles.api.urls import urlpatterns as articles_api
from cms.health import healthz
from comments.api.urls import urlpatterns as comments_api

api_v1 = (articles_api + comments_api, "api")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
]

handler400 = "cms.errors.handler400"
handler403 = "cms.errors.handler403"
handler404 = "cms.errors.handler404"
handler500 = "cms.errors.handler500"
