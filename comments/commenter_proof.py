"""Proof that a commenter owns the address they comment with.

The pipeline trusts an address's history (approved before: published at once; many
rejections: held) only with proof. Without it anyone could post under somebody's address
and learn from the answer (201 published, 202 held) whether that address has approved
comments, then withdraw the probe with its edit token. Proof is either a signed-in
account with that email, or a *commenter token*: the reader asks for a confirmation
link (`POST /api/v1/commenters/confirmations/`), the link is mailed to the address, and
following it hands out the token, which the frontend keeps and sends back as the
`X-Commenter-Token` header when it posts or edits. Tokens are signed, bound to a keyed
hash of the address (the address itself is not in them), and expire after
COMMENTER_TOKEN_MAX_AGE (a year by default). Nothing is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse

from articles import links
from comments.privacy import email_digest, normalize_email

TOKEN_HEADER = "X-Commenter-Token"  # noqa: S105 - a header name, not a secret
_LINK_SALT = "comments.commenter-confirmation-link"
_TOKEN_SALT = "comments.commenter-token"  # noqa: S105 - a signing salt, public


class InvalidConfirmationLink(Exception):
    """The link is forged, malformed or expired."""


def confirmation_link_token(*, email: str) -> str:
    return signing.dumps({"d": email_digest(email)}, salt=_LINK_SALT)


def confirmation_link_url(*, email: str) -> str:
    """Where the mailed link points: the frontend's page when COMMENTER_CONFIRM_PATH_TEMPLATE
    says where it is (it calls the API with the token), else the API itself."""
    token = confirmation_link_token(email=email)
    template = settings.COMMENTER_CONFIRM_PATH_TEMPLATE
    if template:
        return links.absolute(template.format(token=token))
    return links.absolute(reverse("api:commenter-confirmation-confirm") + f"?token={token}")


def commenter_token_for_link(*, token: str) -> str:
    """The commenter token a valid confirmation link hands out."""
    try:
        data = signing.loads(token, salt=_LINK_SALT, max_age=settings.PRIVACY_LINK_MAX_AGE)
        digest = str(data["d"])
    except signing.SignatureExpired:
        raise InvalidConfirmationLink("This link has expired. Please ask again.") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidConfirmationLink("This link is not valid.") from None
    return signing.dumps({"d": digest}, salt=_TOKEN_SALT)


def address_proven(*, email: str, commenter_token: str | None = None, user=None) -> bool:
    """Whether this request proves it speaks for `email`: a signed-in account with that
    address, or a commenter token issued for it."""
    address = normalize_email(email)
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if signed_in and address and normalize_email(getattr(user, "email", "") or "") == address:
        return True
    if not commenter_token:
        return False
    try:
        data = signing.loads(
            commenter_token, salt=_TOKEN_SALT, max_age=settings.COMMENTER_TOKEN_MAX_AGE
        )
    except signing.BadSignature:
        return False
    return isinstance(data, dict) and data.get("d") == email_digest(address)


def confirmation_mail_send(*, email: str) -> None:
    """Mail the address a link that proves it is theirs. Sent to any address that asks
    (whether or not it has comments: the answer must not tell), throttled per client."""
    address = normalize_email(email)
    hours = settings.PRIVACY_LINK_MAX_AGE // 3600
    body = (
        "Someone (we hope you) asked to confirm this address for commenting on "
        f"{settings.SITE_NAME}.\n\n"
        f"Follow this link within {hours} hours to confirm it:\n"
        f"{confirmation_link_url(email=address)}\n\n"
        "Once confirmed, comments you post with this address from that browser count your "
        "earlier approved comments. If you did not ask, ignore this email."
    )
    subject = f"Confirm your address for comments on {settings.SITE_NAME}"
    EmailMessage(subject=subject, body=body, to=[address]).send(fail_silently=False)
