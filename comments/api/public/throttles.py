"""Throttles for the public write endpoints, keyed on the trusted client IP and stored in
the configured cache (Redis in production, so all workers share the counters). Each has
its own scope, so its rate is its own setting (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES)."""

from rest_framework.throttling import SimpleRateThrottle

from plumbing.client_ip import client_ip


class ClientIPThrottle(SimpleRateThrottle):
    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


def _scoped(scope: str, why: str = "") -> type[ClientIPThrottle]:
    name = "".join(part.title() for part in scope.split("_")) + "Throttle"
    return type(name, (ClientIPThrottle,), {"scope": scope, "__doc__": why or None})


CommentPostThrottle = _scoped("comment_post")
CommentFlagThrottle = _scoped("comment_flag")
CommentEditThrottle = _scoped("comment_edit")
CommentReactThrottle = _scoped(
    "comment_react",
    "Reacting and taking back, together. Also what bounds a client that drops its reader "
    "cookie to be counted again (see docs/moderation.md).",
)
PrivacyRequestThrottle = _scoped("privacy_request")
PrivacyConfirmThrottle = _scoped(
    "privacy_confirm",
    "Following a link (download twice, then erase) must not eat the request quota; the "
    "address-confirmation link shares it.",
)
CommenterConfirmationThrottle = _scoped(
    "commenter_confirmation",
    "Asking for a confirmation mail (each one goes to an address the client names).",
)
