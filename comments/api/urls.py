from django.urls import path, register_converter
from rest_framework.routers import SimpleRouter

from comments.api.public.comment_views import (
    ArticleCommentsView,
    CommentDetailView,
    CommentFlagView,
)
from comments.api.public.commenter_views import (
    AddressConfirmationRequestView,
    AddressConfirmationView,
)
from comments.api.public.privacy_views import PrivacyConfirmView, PrivacyRequestView
from comments.api.public.reaction_views import CommentReactionsView
from comments.api.public.unsubscribe_views import ReplyUnsubscribeView
from comments.api.staff.audit_views import ModerationActionViewSet
from comments.api.staff.comment_views import ModerationCommentViewSet
from plumbing.converters import DatabaseIdConverter

register_converter(DatabaseIdConverter, "id")

ASK, CONFIRM = "commenter-confirmation-request", "commenter-confirmation-confirm"

# Staff only: comments.api.staff.
router = SimpleRouter()
router.register("moderation/comments", ModerationCommentViewSet, basename="moderation-comment")
router.register("moderation/actions", ModerationActionViewSet, basename="moderation-action")

# Public: comments.api.public.
urlpatterns = [
    path("articles/<slug:slug>/comments/", ArticleCommentsView.as_view(), name="article-comments"),
    path("comments/unsubscribe/", ReplyUnsubscribeView.as_view(), name="comment-unsubscribe"),
    path("comments/<id:pk>/", CommentDetailView.as_view(), name="comment-detail"),
    path("privacy/requests/", PrivacyRequestView.as_view(), name="privacy-requests"),
    path("privacy/requests/confirm/", PrivacyConfirmView.as_view(), name="privacy-confirm"),
    path("commenters/confirmations/", AddressConfirmationRequestView.as_view(), name=ASK),
    path("commenters/confirmations/confirm/", AddressConfirmationView.as_view(), name=CONFIRM),
    path("comments/<id:pk>/flag/", CommentFlagView.as_view(), name="comment-flag"),
    path("comments/<id:pk>/reactions/", CommentReactionsView.as_view(), name="comment-reactions"),
    *router.urls,
]
