"""Comments API: the public thread and posting, reader flags, and the staff moderation API."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import get_script_prefix
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.models import Article
from comments import notifications, privacy, reactions, selectors, services
from comments.api.filters import ModerationCommentFilter
from comments.api.pagination import CommentCursorPagination
from comments.api.serializers import (
    BulkModerationResultSerializer,
    BulkModerationSerializer,
    CommentCreatedSerializer,
    CommentEditedSerializer,
    CommentEditInputSerializer,
    CommentInputSerializer,
    CommentSerializer,
    FlagInputSerializer,
    FlagResponseSerializer,
    ModerationCommentSerializer,
    ModerationStatusSerializer,
    PrivacyErasedSerializer,
    PrivacyExportSerializer,
    PrivacyRequestInputSerializer,
    ReactionStateSerializer,
)
from comments.api.throttles import (
    CommentEditThrottle,
    CommentFlagThrottle,
    CommentPostThrottle,
    CommentReactThrottle,
    PrivacyConfirmThrottle,
    PrivacyRequestThrottle,
)
from comments.models import Comment
from plumbing.api_docs import (
    ERROR_400,
    ERROR_401,
    ERROR_403,
    ERROR_404,
    ERROR_409,
    ERROR_413,
    ERROR_415,
    ERROR_429,
)
from plumbing.client_ip import client_ip
from plumbing.converters import DatabaseIdConverter


def _public_sort(request) -> str:
    """The `sort` query parameter of the public comment list (blank: the default)."""
    sort = request.query_params.get("sort") or selectors.DEFAULT_PUBLIC_SORT
    if sort not in selectors.PUBLIC_THREAD_ORDERINGS:
        # The message lists the choices and never quotes the value sent.
        choices = ", ".join(selectors.PUBLIC_THREAD_ORDERINGS)
        raise exceptions.ValidationError({"sort": [f"Unknown sort order; use one of {choices}."]})
    return sort


_SORT_PARAMETER = OpenApiParameter(
    "sort",
    str,
    enum=list(selectors.PUBLIC_THREAD_ORDERINGS),
    default=selectors.DEFAULT_PUBLIC_SORT,
    description=(
        "oldest: by submission time (default). newest: latest first. most_reactions: "
        "reaction_count, highest first, then oldest. featured_first: editor's picks "
        "first, then oldest. Each sort has its own cursor: follow `next`/`previous`."
    ),
)


def _field_errors(exc: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    )


def _refusal(exc: services.CommentRefused) -> exceptions.APIException:
    verdict = exc.verdict
    if exc.kind == "flood":
        return exceptions.Throttled(wait=verdict.retry_after, detail=verdict.reason)
    if exc.kind == "suspended":
        # 429 with Retry-After (DRF's handler sets it from `wait`) and the staff's
        # message as it is: Throttled would append "Expected available in N seconds".
        suspended = exceptions.APIException(verdict.reason, code="suspended")
        suspended.status_code = status.HTTP_429_TOO_MANY_REQUESTS
        suspended.wait = verdict.retry_after
        return suspended
    if exc.kind == "duplicate":
        conflict = exceptions.APIException(verdict.reason)
        conflict.status_code = status.HTTP_409_CONFLICT
        return conflict
    return exceptions.PermissionDenied(verdict.reason)


@extend_schema_view(
    get=extend_schema(
        summary="Approved comments on an article, oldest first (or `sort`)",
        description=(
            "Cursor-paginated. A frontend draws the thread from `parent` and `depth`; a "
            "reply whose parent is not approved is not listed. `featured` marks an "
            "editor's pick; `reaction_count` counts readers' reactions (the label is the "
            "article's `reaction_label`)."
        ),
        parameters=[_SORT_PARAMETER],
        responses={
            200: CommentSerializer(many=True),
            400: OpenApiResponse(ERROR_400.response, description="Unknown `sort`."),
            404: OpenApiResponse(
                ERROR_404.response, description="No such visible article, or a bad cursor."
            ),
        },
    ),
    post=extend_schema(
        summary="Post a comment",
        description=(
            "Anonymous JSON or form posts need no CSRF token. 201: published now. 202: held "
            "for moderation. The email is never echoed. Unknown fields are refused (400)."
        ),
        request=CommentInputSerializer,
        responses={
            201: CommentCreatedSerializer,
            202: CommentCreatedSerializer,
            400: ERROR_400,
            403: OpenApiResponse(ERROR_403.response, description="Comments are closed."),
            404: ERROR_404,
            409: ERROR_409,
            413: ERROR_413,
            415: ERROR_415,
            429: OpenApiResponse(
                ERROR_429.response,
                description=(
                    "Too many requests, or the commenter is suspended (the detail carries "
                    "the moderators' message and the end date); see Retry-After."
                ),
            ),
        },
    ),
)
class ArticleCommentsView(generics.ListCreateAPIView):
    serializer_class = CommentSerializer
    pagination_class = CommentCursorPagination
    filter_backends = []

    def get_throttles(self):
        return [CommentPostThrottle()] if self.request.method == "POST" else []

    def get_article(self) -> Article:
        return get_object_or_404(Article.objects.visible(), slug=self.kwargs["slug"])

    def list(self, request, *args, **kwargs):
        self.sort = _public_sort(request)
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        sort = getattr(self, "sort", selectors.DEFAULT_PUBLIC_SORT)
        return selectors.public_thread(article=self.get_article(), sort=sort)

    def create(self, request, *args, **kwargs):
        article = self.get_article()
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            created = services.comment_create(
                article=article,
                author_name=data["author_name"],
                author_email=data["author_email"],
                author_url=data.get("author_url", ""),
                body=data["body"],
                parent_id=data.get("parent"),
                ip_address=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                honeypot=data.get(settings.COMMENTS_HONEYPOT_FIELD, ""),
                notify_replies=data.get("notify_replies", False),
                user=request.user,
            )
        except DjangoValidationError as exc:
            raise _field_errors(exc) from None
        except services.CommentRefused as exc:
            raise _refusal(exc) from None
        comment = created.comment
        published = comment.status == Comment.Status.APPROVED
        # Spam is answered exactly like a held comment, so bots learn nothing.
        payload = CommentSerializer(comment, context=self.get_serializer_context()).data
        payload["status"] = "approved" if published else "pending"
        payload["edit_token"] = created.edit_token
        return Response(
            payload, status=status.HTTP_201_CREATED if published else status.HTTP_202_ACCEPTED
        )


class CommentFlagView(APIView):
    throttle_classes = [CommentFlagThrottle]

    @extend_schema(
        summary="Report a comment",
        request=FlagInputSerializer,
        responses={
            202: FlagResponseSerializer,
            400: ERROR_400,
            404: ERROR_404,
            413: ERROR_413,
            415: ERROR_415,
            429: ERROR_429,
        },
    )
    def post(self, request, pk: int):
        comment = get_object_or_404(
            Comment.objects.listed().filter(article__in=Article.objects.visible()), pk=pk
        )
        serializer = FlagInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.comment_flag(
            comment=comment,
            ip_address=client_ip(request),
            reason=serializer.validated_data.get("reason", ""),
        )
        # The same answer whether or not this reader had reported it before.
        return Response(
            {"detail": "Thank you. A moderator will review this comment."},
            status=status.HTTP_202_ACCEPTED,
        )


READER_COOKIE = "reader_token"
READER_COOKIE_MAX_AGE = 365 * 24 * 3600
READER_TOKEN_HEADER = "X-Reader-Token"  # noqa: S105 - a header name, not a secret

_READER_TOKEN_PARAMETER = OpenApiParameter(
    READER_TOKEN_HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    pattern=reactions.READER_TOKEN_PATTERN.pattern,
    description=(
        "For apps without cookies: a random token (22-64 URL-safe characters, at least "
        "128 random bits) kept by the app and sent with every reaction request. Browsers "
        "need nothing: the first reaction sets the `reader_token` cookie."
    ),
)
_REACTION_RESPONSES = {
    400: OpenApiResponse(ERROR_400.response, description=f"A malformed {READER_TOKEN_HEADER}."),
    403: OpenApiResponse(ERROR_403.response, description="Reactions are turned off."),
    404: OpenApiResponse(ERROR_404.response, description="No such listed comment."),
    429: ERROR_429,
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


_EDIT_TOKEN_HEADER = OpenApiParameter(
    "X-Edit-Token",
    str,
    location=OpenApiParameter.HEADER,
    required=True,
    description="The edit_token returned once by the POST that created the comment.",
)


# An unknown comment id answers 403 like a wrong token (nothing is revealed); only an id
# that is not a database id at all (not 1-18 digits) is a 404, from the URL router.
_NO_SUCH_ROUTE = OpenApiResponse(ERROR_404.response, description="Not a comment id.")


class CommentDetailView(APIView):
    """The author edits or withdraws their comment within the edit window."""

    throttle_classes = [CommentEditThrottle]

    def _comment(self, request, pk: int) -> Comment:
        try:
            return services.comment_for_edit_token(
                comment_id=pk, token=request.headers.get("X-Edit-Token")
            )
        except services.EditNotAllowed as exc:
            raise exceptions.PermissionDenied(str(exc)) from None

    @extend_schema(
        summary="Edit your comment (body only); moderation runs again",
        parameters=[_EDIT_TOKEN_HEADER],
        request=CommentEditInputSerializer,
        responses={
            200: CommentEditedSerializer,
            400: ERROR_400,
            403: ERROR_403,
            404: _NO_SUCH_ROUTE,
            413: ERROR_413,
            415: ERROR_415,
            429: ERROR_429,
        },
    )
    def patch(self, request, pk: int):
        comment = self._comment(request, pk)
        serializer = CommentEditInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            comment = services.comment_edit(comment=comment, body=serializer.validated_data["body"])
        except DjangoValidationError as exc:
            raise _field_errors(exc) from None
        payload = CommentSerializer(comment).data
        payload["status"] = "approved" if comment.status == Comment.Status.APPROVED else "pending"
        return Response(payload)

    @extend_schema(
        summary="Withdraw your comment",
        parameters=[_EDIT_TOKEN_HEADER],
        responses={204: None, 403: ERROR_403, 404: _NO_SUCH_ROUTE, 429: ERROR_429},
    )
    def delete(self, request, pk: int):
        services.comment_withdraw(comment=self._comment(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PrivacyRequestView(APIView):
    throttle_classes = [PrivacyRequestThrottle]

    @extend_schema(
        summary="Ask for an export or erasure of your comments",
        description=(
            "Always 202 with the same body: whether the address has comments is never "
            "revealed. If it has, a signed link (valid 48 hours) is emailed to it."
        ),
        request=PrivacyRequestInputSerializer,
        responses={
            202: FlagResponseSerializer,
            400: ERROR_400,
            413: ERROR_413,
            415: ERROR_415,
            429: ERROR_429,
        },
    )
    def post(self, request):
        serializer = PrivacyRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        privacy.privacy_request_receive(**serializer.validated_data)
        return Response(
            {
                "detail": (
                    "If comments were written with this address, we have emailed it a "
                    "link to confirm the request."
                )
            },
            status=status.HTTP_202_ACCEPTED,
        )


# GET and POST carry out the same link: an export link answers the download either way.
_PRIVACY_OUTCOME = OpenApiResponse(
    PolymorphicProxySerializer(
        component_name="PrivacyOutcome",
        serializers=[PrivacyExportSerializer, PrivacyErasedSerializer],
        resource_type_field_name=None,
    ),
    description="The export download, or the erasure's result.",
)


class PrivacyConfirmView(APIView):
    """The link from the email. Export: a JSON download (while the link is valid).
    Erase: done at once, and the link is spent."""

    throttle_classes = [PrivacyConfirmThrottle]

    def _confirm(self, request):
        try:
            privacy_request = privacy.request_for_token(request.query_params.get("token", ""))
            outcome = privacy.privacy_request_complete(request=privacy_request)
        except privacy.InvalidPrivacyLink as exc:
            raise exceptions.ValidationError({"token": [str(exc)]}) from None
        if privacy_request.kind == "export":
            response = Response(outcome)
            response["Content-Disposition"] = 'attachment; filename="my-comments.json"'
            response["Cache-Control"] = "no-store"
            return response
        return Response(
            {"detail": "Your comments have been anonymized.", "comments_erased": outcome}
        )

    @extend_schema(
        summary="Carry out a confirmed export or erasure (link from the email)",
        parameters=[OpenApiParameter("token", str, required=True)],
        responses={
            200: _PRIVACY_OUTCOME,
            400: ERROR_400,
            429: ERROR_429,
        },
    )
    def get(self, request):
        return self._confirm(request)

    @extend_schema(
        summary="Carry out a confirmed export or erasure (POST form of the link)",
        parameters=[OpenApiParameter("token", str, required=True)],
        request=None,
        responses={200: _PRIVACY_OUTCOME, 400: ERROR_400, 429: ERROR_429},
    )
    def post(self, request):
        return self._confirm(request)


class ReplyUnsubscribeView(APIView):
    """The one-click link in reply emails. GET (a click in a mail client) and POST
    (RFC 8058 List-Unsubscribe-Post) both unsubscribe; the answer never says whose
    address it was."""

    throttle_classes = [CommentFlagThrottle]

    def _unsubscribe(self, token: str | None):
        comment = notifications.comment_for_unsubscribe_token(token or "")
        if comment is None:
            raise exceptions.ValidationError({"token": ["This unsubscribe link is not valid."]})
        services.reply_notifications_unsubscribe(comment=comment)
        return Response({"detail": "You will no longer receive emails about replies."})

    @extend_schema(
        summary="Stop reply notification emails (link from the email)",
        parameters=[OpenApiParameter("token", str, required=True)],
        responses={200: FlagResponseSerializer, 400: ERROR_400, 429: ERROR_429},
    )
    def get(self, request):
        return self._unsubscribe(request.query_params.get("token"))

    @extend_schema(
        summary="Stop reply notification emails (RFC 8058 one-click POST)",
        parameters=[OpenApiParameter("token", str, required=True)],
        request=None,
        responses={200: FlagResponseSerializer, 400: ERROR_400, 429: ERROR_429},
    )
    def post(self, request):
        return self._unsubscribe(request.query_params.get("token"))


@extend_schema_view(
    list=extend_schema(
        summary="All comments, private fields included (staff)",
        responses={
            200: ModerationCommentSerializer(many=True),
            400: ERROR_400,
            401: ERROR_401,
            403: ERROR_403,
            404: OpenApiResponse(ERROR_404.response, description="No such page."),
        },
    ),
    retrieve=extend_schema(
        summary="One comment (staff)",
        responses={
            200: ModerationCommentSerializer,
            401: ERROR_401,
            403: ERROR_403,
            404: ERROR_404,
        },
    ),
    partial_update=extend_schema(
        summary="Change a comment's status, with a reason and note for the audit trail (staff)",
        request=ModerationStatusSerializer,
        responses={
            200: ModerationCommentSerializer,
            400: ERROR_400,
            401: ERROR_401,
            403: ERROR_403,
            404: ERROR_404,
            413: ERROR_413,
            415: ERROR_415,
        },
    ),
)
class ModerationCommentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ModerationCommentSerializer
    permission_classes = [IsAdminUser]
    authentication_classes = [SessionAuthentication, TokenAuthentication]
    filterset_class = ModerationCommentFilter
    http_method_names = ["get", "patch", "post", "head", "options"]
    lookup_value_regex = DatabaseIdConverter.regex

    def get_queryset(self):
        return selectors.moderation_queue()

    def partial_update(self, request, *args, **kwargs):
        comment = self.get_object()
        serializer = ModerationStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.comments_moderate(
            ids=[comment.pk],
            status=data["status"],
            moderator=request.user,
            reason=data.get("reason", ""),
            note=data.get("note", ""),
        )
        fresh = self.get_queryset().get(pk=comment.pk)
        return Response(ModerationCommentSerializer(fresh).data)

    def _featured(self, request, change):
        comment = self.get_object()
        try:
            change(comment, by=request.user)
        except DjangoValidationError as exc:
            raise _field_errors(exc) from None
        return Response(ModerationCommentSerializer(self.get_queryset().get(pk=comment.pk)).data)

    @extend_schema(
        summary="Feature an approved comment: an editor's pick (staff)",
        description="Idempotent. 400 (`featured`) when the comment is not approved.",
        request=None,
        responses={
            200: ModerationCommentSerializer,
            400: ERROR_400,
            401: ERROR_401,
            403: ERROR_403,
            404: ERROR_404,
        },
    )
    @action(detail=True, methods=["post"])
    def feature(self, request, pk=None):
        return self._featured(request, services.comment_feature)

    @extend_schema(
        summary="No longer an editor's pick (staff)",
        description="Idempotent. A comment that leaves `approved` is unfeatured by itself.",
        request=None,
        responses={
            200: ModerationCommentSerializer,
            401: ERROR_401,
            403: ERROR_403,
            404: ERROR_404,
        },
    )
    @action(detail=True, methods=["post"])
    def unfeature(self, request, pk=None):
        return self._featured(request, services.comment_unfeature)

    @extend_schema(
        summary="Change the status of many comments in one transaction (staff)",
        request=BulkModerationSerializer,
        responses={
            200: BulkModerationResultSerializer,
            400: ERROR_400,
            401: ERROR_401,
            403: ERROR_403,
            413: ERROR_413,
            415: ERROR_415,
        },
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        serializer = BulkModerationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        changed = services.comments_moderate(
            ids=data["ids"],
            status=data["status"],
            moderator=request.user,
            reason=data.get("reason", ""),
            note=data.get("note", ""),
        )
        return Response({"updated": len(changed), "status": data["status"]})
