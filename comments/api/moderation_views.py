"""Staff API: the moderation audit trail (/api/v1/moderation/actions/). Staff only."""

from __future__ import annotations

import datetime
from base64 import b64decode, b64encode
from urllib import parse

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, replace_query_param
from rest_framework.permissions import IsAdminUser

from cms.api_docs import ERROR_400, ERROR_401, ERROR_403, ERROR_404
from comments import selectors
from comments.api.filters import ModerationActionFilter
from comments.api.moderation_serializers import ModerationActionSerializer
from comments.models import ModerationAction

MAX_ID = 2**63 - 1
CURSOR_KEYS = frozenset({"r", "p", "i"})


class ModerationActionCursorPagination(CursorPagination):
    """Newest first, by the full key (created_at, id): a bulk decision writes hundreds of
    rows with one timestamp, which DRF's own cursor (first field plus an offset, capped)
    would page through ever more slowly and, past its cap, wrongly. A page is "the next N
    rows after this key", a seek on the action_recent index whatever the ties.

    The cursor is DRF's format (base64 of `p` created_at, `i` id, `r=1` backwards); it is
    client input, so anything that does not decode answers 404, never a database error."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        reverse, position = self._decode(request)
        if reverse:
            queryset = queryset.order_by("created_at", "id")
        else:
            queryset = queryset.order_by("-created_at", "-id")
        if position is not None:
            queryset = queryset.filter(self._after(position, reverse))
        rows = list(queryset[: self.page_size + 1])
        self.page = rows[: self.page_size]
        has_more = len(rows) > self.page_size
        if reverse:
            self.page.reverse()
            self.has_next, self.has_previous = position is not None, has_more
        else:
            self.has_next, self.has_previous = has_more, position is not None
        self.current_position = position
        return self.page

    @staticmethod
    def _after(position: tuple[datetime.datetime, int], reverse: bool) -> Q:
        moment, pk = position
        op = "gt" if reverse else "lt"
        return Q(**{f"created_at__{op}e": moment}) & (
            Q(**{f"created_at__{op}": moment}) | Q(**{f"id__{op}": pk})
        )

    def _invalid(self) -> NotFound:
        return NotFound(self.invalid_cursor_message)

    def _decode(self, request) -> tuple[bool, tuple[datetime.datetime, int] | None]:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return False, None
        try:
            tokens = parse.parse_qs(
                b64decode(encoded.encode("ascii")).decode("ascii"), keep_blank_values=True
            )
        except ValueError:  # binascii.Error and UnicodeError are ValueErrors
            raise self._invalid() from None
        if set(tokens) - CURSOR_KEYS or any(len(v) != 1 for v in tokens.values()):
            raise self._invalid()
        values = {name: value[0] for name, value in tokens.items()}
        if values.get("r", "0") not in ("0", "1"):
            raise self._invalid()
        reverse = values.get("r") == "1"
        if "p" not in values and "i" not in values:
            return reverse, None
        if "p" not in values or "i" not in values:
            raise self._invalid()
        raw_id = values["i"]
        if not raw_id.isascii() or not raw_id.isdigit() or not 1 <= int(raw_id) <= MAX_ID:
            raise self._invalid()
        try:
            moment = ModerationAction._meta.get_field("created_at").to_python(values["p"])
            if moment is None:
                raise ValueError(values["p"])
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            moment = moment.astimezone(datetime.UTC)  # year 1 or 9999 must not overflow later
        except (DjangoValidationError, ValueError, OverflowError):
            raise self._invalid() from None
        return reverse, (moment, int(raw_id))

    def _encode(self, *, reverse: bool, position) -> str:
        tokens = {"r": "1"} if reverse else {}
        if position is not None:
            moment, pk = position
            tokens["p"] = moment.astimezone(datetime.UTC).isoformat()
            tokens["i"] = str(pk)
        encoded = b64encode(parse.urlencode(tokens).encode("ascii")).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        last = self.page[-1] if self.page else None
        position = (last.created_at, last.pk) if last else self.current_position
        return self._encode(reverse=False, position=position)

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        first = self.page[0] if self.page else None
        position = (first.created_at, first.pk) if first else self.current_position
        return self._encode(reverse=True, position=position)


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
