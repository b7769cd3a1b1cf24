"""Comments API: the public thread and posting, reader flags, and the staff moderation API."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
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
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.models import Article
from cms.api_docs import (
    ERROR_400,
    ERROR_401,
    ERROR_403,
    ERROR_404,
    ERROR_409,
    ERROR_413,
    ERROR_415,
    ERROR_429,
)
from cms.client_ip import client_ip
from cms.converters import DatabaseIdConverter
from comments import notifications, privacy, selectors, services
from comments.api.filters import ModerationCommentFilter
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
)
from comments.api.throttles import (
    CommentEditThrottle,
    CommentFlagThrottle,
    CommentPostThrottle,
    PrivacyConfirmThrottle,
    PrivacyRequestThrottle,
)
from comments.models import Comment


class CommentCursorPagination(CursorPagination):
    """Keyset pagination: a deep page costs what the first one does."""

    ordering = ("submitted_at", "id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # The position is whatever the (client-supplied) cursor says; DRF filters on it
        # as is, so a crafted one ("p=2024") would fail in the query with a 500.
        if cursor is not None and cursor.position is not None:
            field = Comment._meta.get_field(self.ordering[0])
            try:
                value = field.to_python(cursor.position)
                if value is None:
                    raise ValueError(cursor.position)
                if timezone.is_naive(value):
                    value = timezone.make_aware(value)
                value.astimezone(datetime.UTC)  # year 1 or 9999 must not overflow later
            except (DjangoValidationError, ValueError, OverflowError):
                raise exceptions.NotFound(self.invalid_cursor_message) from None
        return cursor


def _field_errors(exc: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    )


def _refusal(exc: services.CommentRefused) -> exceptions.APIException:
    verdict = exc.verdict
    if exc.kind == "flood":
        return exceptions.Throttled(wait=verdict.retry_after, detail=verdict.reason)
    if exc.kind == "duplicate":
        conflict = exceptions.APIException(verdict.reason)
        conflict.status_code = status.HTTP_409_CONFLICT
        return conflict
    return exceptions.PermissionDenied(verdict.reason)


@extend_schema_view(
    get=extend_schema(
        summary="Approved comments on an article, oldest first",
        description=(
            "Cursor-paginated. A frontend draws the thread from `parent` and `depth`; a "
            "reply whose parent is not approved is not listed."
        ),
        responses={200: CommentSerializer(many=True), 404: ERROR_404},
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
            429: ERROR_429,
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

    def get_queryset(self):
        return selectors.public_thread(article=self.get_article())

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
        summary="Change a comment's status (staff)",
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
        services.comments_moderate(
            ids=[comment.pk], status=serializer.validated_data["status"], moderator=request.user
        )
        fresh = self.get_queryset().get(pk=comment.pk)
        return Response(ModerationCommentSerializer(fresh).data)

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
            ids=data["ids"], status=data["status"], moderator=request.user
        )
        return Response({"updated": len(changed), "status": data["status"]})
