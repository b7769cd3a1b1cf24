"""The WSGI front: a plain GET whose stored answer is valid is answered here, before
Django builds a request and runs the middleware. On a miss the entries it read travel to
ResponseCacheMiddleware in the environ, so a miss costs one cache round trip, not two.

An entry exists only for a host Django validated when it was stored, so the raw Host
header is safe to key on.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from plumbing.response_cache import store

# The environ key a miss's lookup travels under: (Lookup, the entries found).
PREFETCHED = "response_cache.prefetched"

CONDITIONAL_HEADERS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def origin(environ) -> str | None:
    """scheme://host as Django's request.scheme and request.get_host() read them from
    the WSGI environ (before validation), or None for the rare cases this does not
    mirror (a forwarded host, no Host header): those requests skip the WSGI front."""
    scheme = environ.get("wsgi.url_scheme", "http")
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            scheme = "https" if value.split(",", 1)[0].strip() == secure_value else "http"
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        return None
    host = environ.get("HTTP_HOST")
    return f"{scheme}://{host}" if host else None


def wsgi_front(application):
    """Wrap the WSGI application (cms/wsgi.py does)."""

    def front(environ, start_response):
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or not store.usable(environ)
            or any(header in environ for header in CONDITIONAL_HEADERS)
        ):
            return application(environ, start_response)
        request_origin = origin(environ)
        lookup = store.lookup(environ, request_origin) if request_origin else None
        if lookup is None:
            return application(environ, start_response)
        found = store.get_many(lookup.keys)
        now = timezone.now().timestamp()
        entry = store.valid_entry(found, lookup, now)
        if entry is None:
            environ[PREFETCHED] = (lookup, found)
            return application(environ, start_response)
        body, headers, expires = entry[1], entry[2], entry[5]
        response_headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        response_headers.append(("Content-Length", str(len(body))))
        response_headers.append(("Cache-Control", store.public_cache_control(expires - now)))
        start_response("200 OK", response_headers)
        return [body]

    return front
