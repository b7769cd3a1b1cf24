"""Staff API: the moderation audit trail (/api/v1/moderation/actions/). Staff only."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAdminUser

from comments import selectors
from comments.api.filters import ModerationActionFilter
from comments.api.moderation_serializers import ModerationActionSerializer
from comments.api.pagination import KeysetCursorPagination
from plumbing.api_docs import ERROR_400, ERROR_401, ERROR_403, ERROR_404


class ModerationActionCursorPagination(KeysetCursorPagination):
    """Newest first, by the full key (created_at, id): a bulk decision writes hundreds of
    rows with one timestamp, which DRF's own cursor (first field plus an offset, capped)
    would page through ever more slowly and, past its cap, wrongly. A page is "the next N
    rows after this key", a seek on the action_recent index whatever the ties. The cursor
    must name both the time and the id; anything that does not decode answers 404."""

    ordering = ("-created_at", "-id")  # comments.selectors.moderation_actions() orders so
    page_size = 50
    max_page_size = 200
    id_required = True


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
            400: ERROR_400,
            401: ERROR_401,
            403: ERROR_403,
            404: OpenApiResponse(ERROR_404.response, description="Invalid cursor."),
        },
    ),
)
class ModerationActionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ModerationActionSerializer
    permission_classes = [IsAdminUser]
    authentication_classes = [SessionAuthentication, TokenAuthentication]
    filterset_class = ModerationActionFilter
    pagination_class = ModerationActionCursorPagination

    def get_queryset(self):
        return selectors.moderation_actions()
