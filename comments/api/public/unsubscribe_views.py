"""Public API of the one-click unsubscribe link in reply notification emails."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.response import Response

from comments import notifications, services
from comments.api.public.email_links import EmailLinkView, email_link_schema
from comments.api.public.serializers import FlagResponseSerializer
from comments.api.public.throttles import CommentFlagThrottle


@email_link_schema(
    followed="Stop reply notification emails (link from the email)",
    posted="Stop reply notification emails (RFC 8058 one-click POST)",
    answer=FlagResponseSerializer,
)
class ReplyUnsubscribeView(EmailLinkView):
    """The one-click link in reply emails. GET (a click in a mail client) and POST
    (RFC 8058 List-Unsubscribe-Post) both unsubscribe; the answer never says whose
    address it was."""

    throttle_classes = [CommentFlagThrottle]

    def follow(self, request, token: str) -> Response:
        comment = notifications.comment_for_unsubscribe_token(token)
        if comment is None:
            raise exceptions.ValidationError({"token": ["This unsubscribe link is not valid."]})
        services.reply_notifications_unsubscribe(comment=comment)
        return Response({"detail": "You will no longer receive emails about replies."})
