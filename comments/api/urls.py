from django.urls import path, register_converter
from rest_framework.routers import SimpleRouter

from cms.converters import DatabaseIdConverter
from comments.api import views

register_converter(DatabaseIdConverter, "id")

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
    path(
        "comments/unsubscribe/",
        views.ReplyUnsubscribeView.as_view(),
        name="comment-unsubscribe",
    ),
    path("comments/<id:pk>/flag/", views.CommentFlagView.as_view(), name="comment-flag"),
    *router.urls,
]
