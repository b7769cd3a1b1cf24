"""Staff API: the moderation audit trail (/api/v1/moderation/actions/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from comments import selectors
from comments.api.schema import error, errors
from comments.api.staff.filters import ModerationActionFilter
from comments.api.staff.pagination import ModerationActionCursorPagination
from comments.api.staff.serializers import ModerationActionSerializer
from plumbing.staff_api import StaffOnly


@extend_schema_view(
    list=extend_schema(
        summary="The moderation audit trail, newest first (staff)",
        description=(
            "Every status change of a comment: the pipeline's first decision (actor null, "
            "`step` the deciding step), moderators' decisions (actor, reason, note), reader "
            "reports past the threshold and authors' withdrawals. Cursor-paginated "
            "(`page_size` up to 200). Never public."
        ),
        responses={
            200: ModerationActionSerializer(many=True),
            **errors(400, 401, 403),
            404: error(404, "Invalid cursor."),
        },
    ),
)
class ModerationActionViewSet(StaffOnly, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ModerationActionSerializer
    filterset_class = ModerationActionFilter
    pagination_class = ModerationActionCursorPagination

    def get_queryset(self):
        return selectors.moderation_actions()
