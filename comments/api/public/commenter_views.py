"""Public API of commenters proving their address: ask for a confirmation link, and the
mailed link that hands out the commenter token (comments.commenter_proof)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions
from rest_framework.response import Response

from comments import commenter_proof, tasks
from comments.api.public.email_links import (
    EmailLinkRequestView,
    EmailLinkView,
    email_link_request_schema,
    email_link_schema,
)
from comments.api.public.serializers import (
    CommenterConfirmationInputSerializer,
    CommenterTokenSerializer,
)
from comments.api.public.throttles import (
    CommenterConfirmationThrottle,
    PrivacyConfirmThrottle,
)


@email_link_request_schema(
    summary="Ask for a link that confirms your address",
    description=(
        "Always 202 with the same body, whatever the address: a signed link (valid 48 "
        "hours) is emailed to it. Following the link gives a commenter token; sent as "
        "`X-Commenter-Token` with later posts, it lets the address's earlier approved "
        "comments count (a known author is published at once)."
    ),
    request=CommenterConfirmationInputSerializer,
)
class AddressConfirmationRequestView(EmailLinkRequestView):
    input_serializer = CommenterConfirmationInputSerializer
    detail = "We have emailed a link to confirm this address."
    throttle_classes = [CommenterConfirmationThrottle]

    def receive(self, data: dict) -> None:
        tasks.commenter_confirmation_receive(email=data["email"])


@email_link_schema(
    followed="Confirm your address (link from the email): get a commenter token",
    posted="Confirm your address (POST form of the link)",
    answer=OpenApiResponse(CommenterTokenSerializer, description="The commenter token."),
)
class AddressConfirmationView(EmailLinkView):
    throttle_classes = [PrivacyConfirmThrottle]

    def follow(self, request, token: str) -> Response:
        try:
            commenter_token = commenter_proof.commenter_token_for_link(token=token)
        except commenter_proof.InvalidConfirmationLink as exc:
            raise exceptions.ValidationError({"token": [str(exc)]}) from None
        response = Response(
            {
                "commenter_token": commenter_token,
                "max_age_days": settings.COMMENTER_TOKEN_MAX_AGE // 86400,
            }
        )
        response["Cache-Control"] = "no-store"
        return response
