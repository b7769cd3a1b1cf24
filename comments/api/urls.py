from django.urls import path
from rest_framework.routers import SimpleRouter

from comments.api import views

router = SimpleRouter()
router.register(
    "moderation/comments", views.ModerationCommentViewSet, basename="moderation-comment"
)

urlpatterns = [
    path(
        "articles/<slug:slug>/comments/",
        views.ArticleCommentsView.as_view(),
        name="article-comments",
    ),
    path("comments/<int:pk>/flag/", views.CommentFlagView.as_view(), name="comment-flag"),
    *router.urls,
]
