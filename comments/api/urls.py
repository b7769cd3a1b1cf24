from django.urls import path, register_converter
from rest_framework.routers import SimpleRouter

from comments.api import moderation_views, views
from plumbing.converters import DatabaseIdConverter

register_converter(DatabaseIdConverter, "id")

router = SimpleRouter()
router.register(
    "moderation/comments", views.ModerationCommentViewSet, basename="moderation-comment"
)
router.register(
    "moderation/actions", moderation_views.ModerationActionViewSet, basename="moderation-action"
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
    path("comments/<id:pk>/", views.CommentDetailView.as_view(), name="comment-detail"),
    path("privacy/requests/", views.PrivacyRequestView.as_view(), name="privacy-requests"),
    path(
        "privacy/requests/confirm/",
        views.PrivacyConfirmView.as_view(),
        name="privacy-confirm",
    ),
    path("comments/<id:pk>/flag/", views.CommentFlagView.as_view(), name="comment-flag"),
    path(
        "comments/<id:pk>/reactions/",
        views.CommentReactionsView.as_view(),
        name="comment-reactions",
    ),
    *router.urls,
]
