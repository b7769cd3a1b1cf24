from rest_framework.routers import SimpleRouter

from articles.api import views

router = SimpleRouter()
router.register("categories", views.CategoryViewSet, basename="category")
router.register("tags", views.TagViewSet, basename="tag")
router.register("authors", views.AuthorViewSet, basename="author")
router.register("articles", views.ArticleViewSet, basename="article")

urlpatterns = router.urls
