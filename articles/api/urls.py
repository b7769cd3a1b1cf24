from django.urls import path
from rest_framework.routers import SimpleRouter

from articles.api import views
from articles.api.desk_views import ArticlePreviewTokenView

router = SimpleRouter()
router.register("categories", views.CategoryViewSet, basename="category")
router.register("tags", views.TagViewSet, basename="tag")
router.register("authors", views.AuthorViewSet, basename="author")
router.register("articles", views.ArticleViewSet, basename="article")

urlpatterns = [
    *router.urls,
    # Staff only: the newsroom desk.
    path(
        "desk/articles/<slug:slug>/preview/",
        ArticlePreviewTokenView.as_view(),
        name="desk-article-preview",
    ),
]
