"""Staff API: every comment with its private fields, status changes (one or many, with
a reason and a note for the audit trail) and editors' picks. Writes go through
comments.moderating."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from comments import moderating, selectors
from comments.api.errors import field_errors
from comments.api.schema import error, errors
from comments.api.staff.filters import ModerationCommentFilter
from comments.api.staff.serializers import (
    BulkModerationResultSerializer,
    BulkModerationSerializer,
    ModerationCommentSerializer,
    ModerationStatusSerializer,
)
from plumbing.converters import DatabaseIdConverter
from plumbing.staff_api import StaffOnly


@extend_schema_view(
    list=extend_schema(
        summary="All comments, private fields included (staff)",
        responses={
            200: ModerationCommentSerializer(many=True),
            **errors(400, 401, 403),
            404: error(404, "No such page."),
        },
    ),
    retrieve=extend_schema(
        summary="One comment (staff)",
        responses={200: ModerationCommentSerializer, **errors(401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Change a comment's status, with a reason and note for the audit trail (staff)",
        request=ModerationStatusSerializer,
        responses={200: ModerationCommentSerializer, **errors(400, 401, 403, 404, 413, 415)},
    ),
)
class ModerationCommentViewSet(
    StaffOnly,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ModerationCommentSerializer
    filterset_class = ModerationCommentFilter
    http_method_names = ["get", "patch", "post", "head", "options"]
    lookup_value_regex = DatabaseIdConverter.regex

    def get_queryset(self):
        return selectors.moderation_queue()

    def _fresh(self, comment) -> Response:
        """The comment as it is now, as the staff see it."""
        return Response(ModerationCommentSerializer(self.get_queryset().get(pk=comment.pk)).data)

    def partial_update(self, request, *args, **kwargs):
        comment = self.get_object()
        serializer = ModerationStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moderating.comments_moderate(
            ids=[comment.pk],
            status=data["status"],
            moderator=request.user,
            reason=data.get("reason", ""),
            note=data.get("note", ""),
        )
        return self._fresh(comment)

    def _featured(self, request, change):
        comment = self.get_object()
        try:
            change(comment=comment, by=request.user)
        except DjangoValidationError as exc:
            raise field_errors(exc) from None
        return self._fresh(comment)

    @extend_schema(
        summary="Feature an approved comment: an editor's pick (staff)",
        description="Idempotent. 400 (`featured`) when the comment is not approved.",
        request=None,
        responses={200: ModerationCommentSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def feature(self, request, pk=None):
        return self._featured(request, moderating.comment_feature)

    @extend_schema(
        summary="No longer an editor's pick (staff)",
        description="Idempotent. A comment that leaves `approved` is unfeatured by itself.",
        request=None,
        responses={200: ModerationCommentSerializer, **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def unfeature(self, request, pk=None):
        return self._featured(request, moderating.comment_unfeature)

    @extend_schema(
        summary="Change the status of many comments in one transaction (staff)",
        request=BulkModerationSerializer,
        responses={200: BulkModerationResultSerializer, **errors(400, 401, 403, 413, 415)},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        serializer = BulkModerationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        changed = moderating.comments_moderate(
            ids=data["ids"],
            status=data["status"],
            moderator=request.user,
            reason=data.get("reason", ""),
            note=data.get("note", ""),
        )
        return Response({"updated": len(changed), "status": data["status"]})
