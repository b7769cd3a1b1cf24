"""Public API of readers' reactions to a comment (the write paths: comments.reactions)."""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from comments import reactions
from comments.api.public.serializers import ReactionStateSerializer
from comments.api.public.throttles import CommentReactThrottle
from comments.api.schema import error, errors
from plumbing.client_ip import client_ip

READER_COOKIE = "reader_token"
READER_COOKIE_MAX_AGE = 365 * 24 * 3600
READER_TOKEN_HEADER = "X-Reader-Token"  # noqa: S105 - a header name, not a secret

_READER_TOKEN_PARAMETER = OpenApiParameter(
    READER_TOKEN_HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    # Anchored: an OpenAPI pattern is searched for, the server matches the whole value.
    pattern=f"^{reactions.READER_TOKEN_PATTERN.pattern}$",
    description=(
        "For apps without cookies: a random token (22-64 URL-safe characters, at least "
        "128 random bits) kept by the app and sent with every reaction request. Browsers "
        "need nothing: the first reaction sets the `reader_token` cookie."
    ),
)
_REACTION_RESPONSES = {
    400: error(400, f"A malformed {READER_TOKEN_HEADER}."),
    403: error(403, "Reactions are turned off."),
    404: error(404, "No such listed comment."),
    **errors(429),
}


@extend_schema_view(
    post=extend_schema(
        summary="React to a comment (once per client)",
        description=(
            "Gives the comment the site's reaction (its label is the article's "
            "`reaction_label`). A client is the trusted client IP together with the "
            f"reader token (the `reader_token` cookie, or `{READER_TOKEN_HEADER}`); a "
            "client that has reacted already gets 200 and the same count. No CSRF token "
            "for anonymous requests."
        ),
        parameters=[_READER_TOKEN_PARAMETER],
        request=None,
        responses={
            200: OpenApiResponse(ReactionStateSerializer, description="Already counted."),
            201: OpenApiResponse(ReactionStateSerializer, description="Counted now."),
            **_REACTION_RESPONSES,
        },
    ),
    delete=extend_schema(
        summary="Take back your reaction",
        description="200 with `reacted: false`, whether or not this client had reacted.",
        parameters=[_READER_TOKEN_PARAMETER],
        responses={200: ReactionStateSerializer, **_REACTION_RESPONSES},
    ),
)
class CommentReactionsView(APIView):
    """Readers' reactions; the write paths are comments.reactions."""

    throttle_classes = [CommentReactThrottle]

    def post(self, request, pk: int):
        return self._answer(request, pk, reactions.comment_react)

    def delete(self, request, pk: int):
        return self._answer(request, pk, reactions.comment_unreact)

    def _answer(self, request, pk: int, service):
        token, issued = self._reader_token(request, issue=service is reactions.comment_react)
        key = reactions.client_key(ip_address=client_ip(request), reader_token=token)
        try:
            state = service(comment_id=pk, client_key=key)
        except reactions.ReactionsDisabled:
            raise exceptions.PermissionDenied("Reactions are turned off.") from None
        except reactions.CommentNotReactable:
            raise exceptions.NotFound() from None
        created = state.changed and state.reacted
        response = Response(
            ReactionStateSerializer(state).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
        response["Cache-Control"] = "no-store"  # this client's answer, never a shared one
        if issued:
            response.set_cookie(
                READER_COOKIE,
                token,
                max_age=READER_COOKIE_MAX_AGE,
                # Sent only to the comment endpoints, never with cached public reads.
                path=f"{get_script_prefix()}api/v1/comments/",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    @staticmethod
    def _reader_token(request, *, issue: bool) -> tuple[str, bool]:
        """The client's reader token, and whether it is new (to be set as the cookie).
        The header (apps) wins over the cookie (browsers); a malformed cookie is
        replaced, a malformed header refused."""
        header = request.headers.get(READER_TOKEN_HEADER)
        if header is not None:
            if not reactions.is_reader_token(header):
                raise exceptions.ValidationError(
                    {READER_TOKEN_HEADER: ["Send 22 to 64 URL-safe base64 characters."]}
                )
            return header, False
        cookie = request.COOKIES.get(READER_COOKIE)
        if reactions.is_reader_token(cookie):
            return cookie, False
        # No token yet: a new client. Taking back needs none (there is nothing to take
        # back), so only a reaction sets the cookie.
        return reactions.new_reader_token(), issue
