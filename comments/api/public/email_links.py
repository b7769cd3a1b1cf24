"""Links sent by email (a privacy request's confirmation, an address confirmation, a
reply email's unsubscribe link): asking for one answers 202 with the same words whatever
the address; the link carries a signed `token` in the query string, with the same
outcome whether it is followed (GET, a click in a mail client) or posted (POST: a form,
or RFC 8058's one-click List-Unsubscribe-Post)."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from comments.api.public.serializers import FlagResponseSerializer
from comments.api.schema import errors

_TOKEN_PARAMETER = OpenApiParameter("token", str, required=True)


class EmailLinkView(APIView):
    """GET and POST both `follow` the link."""

    def follow(self, request, token: str) -> Response:
        raise NotImplementedError

    def get(self, request):
        return self.follow(request, request.query_params.get("token", ""))

    def post(self, request):
        return self.follow(request, request.query_params.get("token", ""))


def email_link_schema(*, followed: str, posted: str, answer):
    """The OpenAPI description of an EmailLinkView: `followed` and `posted` summarize
    its GET and its POST, `answer` is its 200 response."""
    responses = {200: answer, **errors(400, 429)}
    return extend_schema_view(
        get=extend_schema(summary=followed, parameters=[_TOKEN_PARAMETER], responses=responses),
        post=extend_schema(
            summary=posted, parameters=[_TOKEN_PARAMETER], request=None, responses=responses
        ),
    )


class EmailLinkRequestView(APIView):
    """POST an address (and what it asks for): `receive` queues the mail, and the answer
    is 202 with `detail`, the same for every address."""

    input_serializer: type
    detail: str

    def receive(self, data: dict) -> None:
        raise NotImplementedError

    def post(self, request):
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.receive(serializer.validated_data)
        return Response({"detail": self.detail}, status=status.HTTP_202_ACCEPTED)


def email_link_request_schema(*, summary: str, description: str, request):
    """The OpenAPI description of an EmailLinkRequestView's POST."""
    return extend_schema_view(
        post=extend_schema(
            summary=summary,
            description=description,
            request=request,
            responses={202: FlagResponseSerializer, **errors(400, 413, 415, 429)},
        )
    )
