"""ResponseCacheMiddleware: answers registered public reads from the cache, stores the
answers it had to compute, and sets Cache-Control on everything under
API_RESPONSE_CACHE_PATH_PREFIXES.

It sits at the top of MIDDLEWARE. A valid hit is answered before sessions,
authentication, DRF and the database (0 SQL queries). A miss runs the whole stack and
stores a 200 answer with the generations read *before* the view ran, so a write that
commits while the view runs leaves behind an entry that can never match again.
"""

from __future__ import annotations

import logging
import math

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import parse_http_date_safe

from plumbing.response_cache import routes, store
from plumbing.response_cache.front import CONDITIONAL_HEADERS, PREFETCHED
from plumbing.response_cache.generations import generation_key, new_token
from plumbing.response_cache.hints import surrogate_key_headers

logger = logging.getLogger(__name__)


def _without_cookie_vary(response) -> None:
    # SessionMiddleware adds "Vary: Cookie" once a view looked at the session (the comment
    # list authenticates posters); no public answer depends on it, and a CDN would keep
    # one copy per visitor.
    vary = response.get("Vary")
    if vary:
        kept = [v.strip() for v in vary.split(",") if v.strip() and v.strip().lower() != "cookie"]
        if kept:
            response["Vary"] = ", ".join(kept)
        else:
            del response["Vary"]


def _set_surrogate_keys(response) -> None:
    for header, value in surrogate_key_headers(response).items():
        response[header] = value


def _request_lookup(request, matched) -> store.Lookup | None:
    try:
        # Absolute links in the answers are built from these; get_host() validates.
        origin = f"{request.scheme}://{request.get_host()}"
    except Exception:  # DisallowedHost and the like: Django's own answer, uncached
        return None
    return store.lookup(request.META, origin, matched)


def set_public_headers(response) -> None:
    """Cache-Control of a public read's answer, unless the view decided."""
    if response.cookies:
        # A cookie (a stale session being cleared, say) belongs to one visitor: an answer
        # that sets one must never be kept by a shared cache, whatever the view said.
        response["Cache-Control"] = "private, no-store"
        patch_vary_headers(response, ["Cookie"])
        return
    if "Cache-Control" in response:
        return
    if response.status_code in (200, 304):
        limit = getattr(response, "_cache_expires_at", None)
        seconds_left = None if limit is None else limit - timezone.now().timestamp()
        response["Cache-Control"] = store.public_cache_control(seconds_left)
        _without_cookie_vary(response)
        _set_surrogate_keys(response)
    else:
        # 301 from an old slug (the slug may be reused), 404 of an article about to be
        # published, 400s, 429s: none of them may be kept.
        response["Cache-Control"] = "no-store"


def _extra_dependencies(response) -> tuple[tuple, tuple] | None:
    """(keys, generations) of the scopes the view named after reading its rows
    (hints.also_depends_on), read now and confirmed by the view's check; None when the
    answer must not be stored (the check found a change, or the cache failed)."""
    scopes, still_current = getattr(response, "_cache_also_depends_on", ((), None))
    if not scopes:
        return (), ()
    keys = tuple(generation_key(scope) for scope in sorted(set(scopes)))
    found = store.get_many(list(keys))
    missing = {key: new_token() for key in keys if found.get(key) is None}
    if missing:
        try:
            store.cache().set_many(missing, timeout=None)
        except Exception:
            logger.exception("Response cache unavailable")
            return None
    generations = tuple(missing.get(key) or found[key] for key in keys)
    # Read after the rows: a change committed between the two would leave an entry with
    # current generations and old rows, so the view looks again.
    if not still_current():
        return None
    return keys, generations


class ResponseCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = settings.API_RESPONSE_CACHE_PATH_PREFIXES

    def __call__(self, request):
        path = request.path_info
        if not path.startswith(self.prefixes):
            return self.get_response(request)
        # The path is matched against the registered routes once per request.
        matched = routes.match(path) if request.method in ("GET", "HEAD") else None
        lookup = _request_lookup(request, matched) if matched else None
        if lookup is None:
            response = self.get_response(request)
            if matched:
                set_public_headers(response)
            elif "Cache-Control" not in response:
                # Private (staff, a reader's own data) and unsafe requests: no shared
                # cache may keep them, whatever a proxy's defaults are.
                response["Cache-Control"] = "no-store"
            return response
        if request.method != "GET" or not store.usable(request.META):
            response = self.get_response(request)
            set_public_headers(response)
            return response
        return self._cached(request, lookup)

    def _cached(self, request, lookup: store.Lookup):
        prefetched = request.META.pop(PREFETCHED, None)
        if prefetched is not None and prefetched[0] == lookup:
            found = prefetched[1]  # the WSGI front read them a moment ago: a miss
        else:
            found = store.get_many(lookup.keys)
            if store.paused():
                response = self.get_response(request)
                set_public_headers(response)
                return response
        now = timezone.now().timestamp()
        entry = store.valid_entry(found, lookup, now)
        if entry is not None:
            return self._hit(request, entry, now)
        missing = {key: new_token() for key in lookup.dependencies if found.get(key) is None}
        generations = tuple(missing.get(key) or found[key] for key in lookup.dependencies)
        if missing:
            # First use of a scope (or its key was evicted): start it before the view
            # reads anything, so a write committing meanwhile replaces it after us.
            try:
                store.cache().set_many(missing, timeout=None)
            except Exception:
                logger.exception("Response cache unavailable")
        return self._fill(request, lookup, generations, now)

    def _hit(self, request, entry, now: float):
        _, body, headers, etag, last_modified, expires = entry[:6]
        response = HttpResponse(body, headers=headers)
        response["Cache-Control"] = store.public_cache_control(expires - now)
        if any(header in request.META for header in CONDITIONAL_HEADERS):
            response = get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=response
            )
        return response

    def _fill(self, request, lookup: store.Lookup, generations: tuple[int, ...], now: float):
        # The stack answers in full (200, not 304), so the answer can be stored whatever
        # the client already has; the conditional headers are applied here afterwards.
        held = {h: request.META.pop(h) for h in CONDITIONAL_HEADERS if h in request.META}
        try:
            response = self.get_response(request)
        finally:
            request.META.update(held)
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or "Cache-Control" in response
        ):
            set_public_headers(response)
            return response
        expires = now + settings.API_RESPONSE_CACHE_TIMEOUT
        view_limit = getattr(response, "_cache_expires_at", None)
        if view_limit is not None:
            expires = min(expires, view_limit)
        body = response.content
        if not response.has_header("ETag"):
            set_response_etag(response)
        _without_cookie_vary(response)
        # Stored with the answer (its headers), so hits name the same keys.
        _set_surrogate_keys(response)
        extra = _extra_dependencies(response)
        if (
            expires > now
            and len(body) <= settings.API_RESPONSE_CACHE_MAX_BYTES
            and extra is not None
        ):
            last_modified = response.get("Last-Modified")
            entry = (
                store.ENTRY_FORMAT,
                body,
                tuple(response.items()),
                response["ETag"],
                last_modified and parse_http_date_safe(last_modified),
                expires,
                generations,
                *extra,
            )
            try:
                store.cache().set(lookup.entry_key, entry, timeout=math.ceil(expires - now))
            except Exception:
                logger.exception("Response cache unavailable")
        response["Cache-Control"] = store.public_cache_control(expires - now)
        if held:
            etag = response["ETag"]
            last_modified = response.get("Last-Modified")
            response = get_conditional_response(
                request,
                etag=etag,
                last_modified=last_modified and parse_http_date_safe(last_modified),
                response=response,
            )
        return response
