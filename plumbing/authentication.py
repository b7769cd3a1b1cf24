"""Authentication for the public endpoints: credentials are welcome, never required.

A reader's endpoints (posting, flagging, reacting) attribute a signed-in user when the
credentials are good, and treat the request as anonymous when they are not, as the
public article routes do (they ignore credentials altogether). DRF's TokenAuthentication
answers a stale or bogus `Authorization: Token ...` with 401/403 instead, so the same
header made the article list answer and the comment list refuse. The staff API keeps
DRF's strict classes (plumbing.staff_api).
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


class OptionalTokenAuthentication(TokenAuthentication):
    """A valid token signs the user in; an invalid one is ignored, not refused."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            return None


class OptionalTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of OptionalTokenAuthentication: DRF's token header."""

    target_class = OptionalTokenAuthentication
    name = "optionalTokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Optional: "Token <key>" signs a user in; a bad one is ignored.',
        }
