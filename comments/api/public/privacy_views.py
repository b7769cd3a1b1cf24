"""Public API of readers' privacy requests: asking for an export or erasure, and the
emailed link that carries it out (the work: comments.privacy)."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
)
from rest_framework import exceptions
from rest_framework.response import Response

from comments import privacy, tasks
from comments.api.public.email_links import (
    EmailLinkRequestView,
    EmailLinkView,
    email_link_request_schema,
    email_link_schema,
)
from comments.api.public.serializers import (
    PrivacyErasedSerializer,
    PrivacyExportSerializer,
    PrivacyRequestInputSerializer,
)
from comments.api.public.throttles import PrivacyConfirmThrottle, PrivacyRequestThrottle


@email_link_request_schema(
    summary="Ask for an export or erasure of your comments",
    description=(
        "Always 202 with the same body: whether the address has comments is never "
        "revealed. If it has, a signed link (valid 48 hours) is emailed to it."
    ),
    request=PrivacyRequestInputSerializer,
)
class PrivacyRequestView(EmailLinkRequestView):
    input_serializer = PrivacyRequestInputSerializer
    detail = (
        "If comments were written with this address, we have emailed it a link to confirm "
        "the request."
    )
    throttle_classes = [PrivacyRequestThrottle]

    def receive(self, data: dict) -> None:
        tasks.privacy_request_receive(**data)


# GET and POST carry out the same link: an export link answers the download either way.
_PRIVACY_OUTCOME = OpenApiResponse(
    PolymorphicProxySerializer(
        component_name="PrivacyOutcome",
        serializers=[PrivacyExportSerializer, PrivacyErasedSerializer],
        resource_type_field_name=None,
    ),
    description="The export download, or the erasure's result.",
)


@email_link_schema(
    followed="Carry out a confirmed export or erasure (link from the email)",
    posted="Carry out a confirmed export or erasure (POST form of the link)",
    answer=_PRIVACY_OUTCOME,
)
class PrivacyConfirmView(EmailLinkView):
    """The link from the email. Export: a JSON download (while the link is valid).
    Erase: done at once, and the link is spent."""

    throttle_classes = [PrivacyConfirmThrottle]

    def follow(self, request, token: str) -> Response:
        try:
            privacy_request = privacy.request_for_token(token=token)
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
