"""Public API of an article's comments: the thread and posting, a reader's report, and
the author's edit or withdrawal with the token the post answered."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from articles import selectors as article_selectors
from articles.models import Article
from comments import selectors, services
from comments.api.errors import field_errors
from comments.api.public.pagination import CommentCursorPagination
from comments.api.public.serializers import (
    CommentCreatedSerializer,
    CommentEditedSerializer,
    CommentEditInputSerializer,
    CommentInputSerializer,
    CommentSerializer,
    FlagInputSerializer,
    FlagResponseSerializer,
)
from comments.api.public.throttles import (
    CommentEditThrottle,
    CommentFlagThrottle,
    CommentPostThrottle,
)
from comments.api.schema import error, errors
from comments.cache import thread_keys
from comments.commenter_proof import TOKEN_HEADER
from comments.edit_tokens import EditNotAllowed, comment_for_edit_token
from comments.models import Comment
from plumbing.client_ip import client_ip
from plumbing.response_cache.hints import surrogate_keys


def _public_sort(request) -> str:
    """The `sort` query parameter of the public comment list (blank: the default)."""
    sort = request.query_params.get("sort") or selectors.DEFAULT_PUBLIC_SORT
    if sort not in selectors.PUBLIC_THREAD_ORDERINGS:
        # The message lists the choices and never quotes the value sent.
        choices = ", ".join(selectors.PUBLIC_THREAD_ORDERINGS)
        raise exceptions.ValidationError({"sort": [f"Unknown sort order; use one of {choices}."]})
    return sort


_COMMENTER_TOKEN_HEADER = OpenApiParameter(
    TOKEN_HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Proof that the poster owns author_email (from /api/v1/commenters/confirmations/): "
        "only then do the address's earlier comments count (a known author is published "
        "at once). Without it every address is judged as a new one."
    ),
)

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
            400: error(400, "Unknown `sort`."),
            404: error(404, "No such visible article, or a bad cursor."),
        },
    ),
    post=extend_schema(
        summary="Post a comment",
        description=(
            "Anonymous JSON or form posts need no CSRF token. 201: published now. 202: held "
            "for moderation. The email is never echoed. Unknown fields are refused (400)."
        ),
        parameters=[_COMMENTER_TOKEN_HEADER],
        request=CommentInputSerializer,
        responses={
            201: CommentCreatedSerializer,
            202: CommentCreatedSerializer,
            **errors(400),
            403: error(403, "Comments are closed."),
            **errors(404, 409, 413, 415),
            429: error(
                429,
                "Too many requests, or the commenter is suspended (the detail carries the "
                "moderators' message and the end date); see Retry-After.",
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
        article = article_selectors.visible_article(slug=self.kwargs["slug"])
        if article is None:
            raise Http404
        return article

    def list(self, request, *args, **kwargs):
        self.sort = _public_sort(request)
        response = super().list(request, *args, **kwargs)
        surrogate_keys(response, thread_keys(article_id=self.article.pk))
        return response

    def get_queryset(self):
        sort = getattr(self, "sort", selectors.DEFAULT_PUBLIC_SORT)
        self.article = self.get_article()  # its stored comment_count is the thread's total
        return selectors.public_thread(article=self.article, sort=sort)

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
                commenter_token=request.headers.get(TOKEN_HEADER),
            )
        except DjangoValidationError as exc:
            raise field_errors(exc) from None
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
        responses={202: FlagResponseSerializer, **errors(400, 404, 413, 415, 429)},
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
_NO_SUCH_ROUTE = error(404, "Not a comment id.")


class CommentDetailView(APIView):
    """The author edits or withdraws their comment within the edit window."""

    throttle_classes = [CommentEditThrottle]

    def _comment(self, request, pk: int) -> Comment:
        try:
            return comment_for_edit_token(comment_id=pk, token=request.headers.get("X-Edit-Token"))
        except EditNotAllowed as exc:
            raise exceptions.PermissionDenied(str(exc)) from None

    @extend_schema(
        summary="Edit your comment (body only); moderation runs again",
        parameters=[_EDIT_TOKEN_HEADER, _COMMENTER_TOKEN_HEADER],
        request=CommentEditInputSerializer,
        responses={
            200: CommentEditedSerializer,
            **errors(400, 403),
            404: _NO_SUCH_ROUTE,
            **errors(413, 415, 429),
        },
    )
    def patch(self, request, pk: int):
        comment = self._comment(request, pk)
        serializer = CommentEditInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            comment = services.comment_edit(
                comment=comment,
                body=serializer.validated_data["body"],
                commenter_token=request.headers.get(TOKEN_HEADER),
                user=request.user,
            )
        except DjangoValidationError as exc:
            raise field_errors(exc) from None
        payload = CommentSerializer(comment).data
        payload["status"] = "approved" if comment.status == Comment.Status.APPROVED else "pending"
        return Response(payload)

    @extend_schema(
        summary="Withdraw your comment",
        parameters=[_EDIT_TOKEN_HEADER],
        responses={204: None, **errors(403), 404: _NO_SUCH_ROUTE, **errors(429)},
    )
    def delete(self, request, pk: int):
        services.comment_withdraw(comment=self._comment(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
