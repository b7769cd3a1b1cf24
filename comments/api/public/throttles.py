"""Throttles for the public write endpoints, keyed on the trusted client IP and stored in
the configured cache (Redis in production, so all workers share the counters)."""

from rest_framework.throttling import SimpleRateThrottle

from plumbing.client_ip import client_ip


class ClientIPThrottle(SimpleRateThrottle):
    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


class CommentPostThrottle(ClientIPThrottle):
    scope = "comment_post"


class CommentFlagThrottle(ClientIPThrottle):
    scope = "comment_flag"


class CommentEditThrottle(ClientIPThrottle):
    scope = "comment_edit"


class CommentReactThrottle(ClientIPThrottle):
    """Reacting and taking back, together. Also what bounds a client that drops its
    reader cookie to be counted again (see docs/moderation.md)."""

    scope = "comment_react"


class PrivacyRequestThrottle(ClientIPThrottle):
    scope = "privacy_request"


class PrivacyConfirmThrottle(ClientIPThrottle):
    """Following a link (download twice, then erase) must not eat the request quota."""

    scope = "privacy_confirm"
