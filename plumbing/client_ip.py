"""The client's IP address, as far as the deployment's proxies can be trusted.

With TRUSTED_PROXY_COUNT = 0 (the default) the client is REMOTE_ADDR and any
X-Forwarded-For header is ignored: a reader cannot choose their IP by sending one.
With N > 0, each of the N trusted proxies appended the address it received the request
from, so the client is the N-th entry from the right; entries further left were written
by the client and are not trusted.
"""

import ipaddress

from django.conf import settings


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    remote_addr = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote_addr
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not hops:
        return remote_addr
    candidate = hops[-trusted] if len(hops) >= trusted else hops[0]
    return _valid_ip(candidate) or remote_addr
