"""Links sent by email (a privacy request's confirmation, a reply email's unsubscribe
link): a signed `token` in the query string, and the same outcome whether the link is
followed (GET, a click in a mail client) or posted (POST: a form, or RFC 8058's one-click
List-Unsubscribe-Post)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.response import Response
from rest_framework.views import APIView

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
