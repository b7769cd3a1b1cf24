"""The public response cache: stored answers of the public read API, invalidated by
generation numbers, and the Cache-Control headers a CDN uses.

Design (docs/performance.md has the whole story):

- `ResponseCacheMiddleware` sits at the top of MIDDLEWARE. For an anonymous-safe GET of
  a public read route it fetches the stored answer and the generations it depends on in
  ONE `cache.get_many` round trip; a valid hit is answered from there, before sessions,
  authentication, DRF and the database (0 SQL queries). A miss runs the whole stack and
  stores a 200 answer with the generations read *before* the view ran, so a write that
  commits while the view runs leaves behind an entry that can never match again.
- A generation is a random token per scope, replaced on every change:
  `articles` (anything an article page or list shows: articles, categories, tags,
  authors, the moderation policy), `article-lists` (the comment counts article lists
  show) and one per article slug (its comments: the comment list and the detail's
  comment count). Tokens, not counters, so an evicted or reset key can never make an
  old entry match again.
- `articles_changed()` and `article_comments_changed(ids)` replace tokens at once and,
  inside a transaction, once more when it commits (readers in other processes only see
  the new rows after the commit; the early bump keeps reads inside the same
  transaction, and the test suite, which never commits, correct).
- Time also changes answers without any write: a scheduled article appears at its
  `published_at`, and comments close N days after publication. The views cap an entry's
  life at the next such moment (`expire_response_at`).
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import secrets
import time
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import parse_http_date_safe

logger = logging.getLogger(__name__)

# Generation keys (their values are random tokens) and the stored answers' key prefix.
ARTICLES_GENERATION = "rc:g:articles"
ARTICLE_LISTS_GENERATION = "rc:g:article-lists"
_COMMENTS_GENERATION = "rc:g:comments:"
_ENTRY = "rc:e:"
_ENTRY_FORMAT = 1

# The public reads, by path. Slugs as the URLconf accepts them: anything else is not a
# route we answer from the cache (it goes through the stack and 404s there).
_PUBLIC_ROUTE = re.compile(
    r"/api/v1/(?:"
    r"articles/(?:(?P<slug>[-a-zA-Z0-9_]+)/(?P<comments>comments/)?)?"
    r"|(?:categories|tags)/(?:[-a-zA-Z0-9_]+/)?"
    r")\Z"
)
_CONDITIONAL_HEADERS = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)
_JSON_RANGES = frozenset({"*/*", "application/*", "application/json"})
# A cache that answers nothing and takes about its socket timeout (1 s in settings) to
# do so is treated as down for a while (per process), so a hung Redis costs one timeout,
# not three per request. An answer with data is never "down", however slow: a process
# starved of CPU must not turn its cache off, which would only add load.
_SLOW_CACHE_SECONDS = 0.9
_CACHE_PAUSE_SECONDS = 30.0
_cache_paused_until = 0.0


def _cache():
    return caches[settings.API_RESPONSE_CACHE_ALIAS]


def _token() -> int:
    # An integer: django-redis stores integers as they are, so reading one back needs no
    # unpickling. 62 random bits: two tokens never meet.
    return secrets.randbits(62) + 1


def comments_generation_key(slug: str) -> str:
    return _COMMENTS_GENERATION + slug


# --- invalidation ----------------------------------------------------------------


def articles_changed() -> None:
    """An article, category, tag or author changed: every public article read may differ.

    Call it inside or outside a transaction: inside, it invalidates at once and again
    when the transaction commits.
    """
    _changed(articles=True)


def article_comments_changed(article_ids: Iterable[int]) -> None:
    """The public comments (or their counts, reactions, featured flags) of these
    articles changed: their comment lists, their details (comment_count) and the article
    lists (comment_count, ordering by it). Other articles' comment lists stay cached."""
    ids = frozenset(int(pk) for pk in article_ids)
    if ids:
        _changed(article_ids=ids)


def article_comments_changed_for_slugs(slugs: Iterable[str]) -> None:
    """As article_comments_changed, when the caller already has the articles' slugs."""
    slugs = frozenset(slugs)
    if slugs:
        _changed(slugs=slugs)


def _changed(*, articles=False, article_ids=frozenset(), slugs=frozenset()) -> None:
    # Bumped even with the response cache off: stored counts depend on them too, and
    # entries stored before the cache was switched off must not match when it is back.
    _bump(articles=articles, article_ids=article_ids, slugs=slugs)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        pending = _pending_invalidation(connection)
        pending.articles = pending.articles or articles
        pending.article_ids |= article_ids
        pending.slugs |= slugs


def _bump(*, articles: bool, article_ids: Iterable[int], slugs: Iterable[str]) -> None:
    keys = [ARTICLES_GENERATION] if articles else []
    slugs = set(slugs)
    if article_ids:
        from articles.models import Article

        slugs.update(
            Article.objects.filter(pk__in=list(article_ids)).values_list("slug", flat=True)
        )
    if slugs or article_ids:
        keys.append(ARTICLE_LISTS_GENERATION)
        keys.extend(comments_generation_key(slug) for slug in sorted(slugs))
    if not keys:
        return
    token = _token()
    try:
        _cache().set_many(dict.fromkeys(keys, token), timeout=None)
    except Exception:
        # A cache that cannot be written cannot serve the old answers either (it is
        # down); the write itself must not fail for it.
        logger.exception("Could not invalidate the response cache")


def _pending_invalidation(connection):
    """This transaction's after-commit invalidation (one per transaction, accumulating
    what changed). Found again by identity in the connection's commit hooks, which
    Django drops on rollback, so a rolled-back transaction leaves nothing behind."""
    pending = getattr(connection, "_response_cache_pending", None)
    if pending is not None:
        hooks = connection.run_on_commit
        index = pending.hook_index
        if (index < len(hooks) and hooks[index][1] is pending) or any(
            hook[1] is pending for hook in hooks
        ):
            return pending

    def invalidate_after_commit():
        _bump(
            articles=invalidate_after_commit.articles,
            article_ids=invalidate_after_commit.article_ids,
            slugs=invalidate_after_commit.slugs,
        )

    invalidate_after_commit.articles = False
    invalidate_after_commit.article_ids = set()
    invalidate_after_commit.slugs = set()
    transaction.on_commit(invalidate_after_commit, robust=True)
    invalidate_after_commit.hook_index = len(connection.run_on_commit) - 1
    connection._response_cache_pending = invalidate_after_commit
    return invalidate_after_commit


# --- what views tell the cache --------------------------------------------------------


def expire_response_at(response, moment: datetime | None) -> None:
    """The answer is right until `moment` (a scheduled publication, comments closing):
    neither our cache nor a CDN may keep it longer. Several calls keep the earliest."""
    if moment is None:
        return
    current = getattr(response, "_cache_expires_at", None)
    timestamp = moment.timestamp()
    if current is None or timestamp < current:
        response._cache_expires_at = timestamp


def do_not_store(response) -> None:
    """The view cannot tell how long its answer stays right: do not keep it."""
    response._cache_expires_at = 0.0


# --- the middleware ---------------------------------------------------------------------


def _public_cache_control(seconds_left: float | None = None) -> str:
    s_maxage = settings.API_CACHE_S_MAXAGE
    if seconds_left is not None:
        s_maxage = max(0, min(s_maxage, int(seconds_left)))
    return (
        f"public, max-age=0, s-maxage={s_maxage}, "
        f"stale-while-revalidate={settings.API_CACHE_STALE_WHILE_REVALIDATE}"
    )


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


def _accepts_json_only(accept: str) -> bool:
    """Whether DRF would answer this Accept header with the plain (unindented) JSON we
    store. Anything unusual (an `indent` parameter, no JSON range) goes to DRF."""
    if not accept:
        return True
    for part in accept.split(","):
        media, _, params = part.partition(";")
        if "indent" in params:
            return False
        if media.strip().lower() in _JSON_RANGES:
            return True
    return False


class _Route:
    __slots__ = ("dependencies", "entry_key")

    def __init__(self, dependencies: tuple[str, ...], entry_key: str):
        self.dependencies = dependencies
        self.entry_key = entry_key


def _origin(environ) -> str | None:
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


def _route(environ, origin: str) -> _Route | None:
    """The cache entry and generations of a GET of a public read route, from the WSGI
    environ, or None when this request must go through the whole stack."""
    path_info = environ.get("PATH_INFO", "")
    match = _PUBLIC_ROUTE.match(path_info)
    if match is None:
        return None
    slug = match.group("slug")
    if slug is None:
        dependencies = (
            (ARTICLES_GENERATION, ARTICLE_LISTS_GENERATION)
            if path_info.startswith("/api/v1/articles/")
            else (ARTICLES_GENERATION,)
        )
    else:
        if match.group("comments") and "HTTP_AUTHORIZATION" in environ:
            # The comment list authenticates (posters may be signed in): a bad token is
            # the view's 401 to give, not a stored 200.
            return None
        dependencies = (ARTICLES_GENERATION, comments_generation_key(slug))
    if not _accepts_json_only(environ.get("HTTP_ACCEPT", "")):
        return None
    query_string = environ.get("QUERY_STRING", "")
    query = sorted(QueryDict(query_string).lists()) if query_string else ()
    address = f"{origin}{environ.get('SCRIPT_NAME', '')}{path_info}?{query!r}".encode()
    return _Route(dependencies, _ENTRY + hashlib.blake2b(address, digest_size=16).hexdigest())


def _public_route(request) -> _Route | None:
    if _PUBLIC_ROUTE.match(request.path_info) is None:
        return None
    try:
        # Absolute links in the answers are built from these; get_host() validates.
        origin = f"{request.scheme}://{request.get_host()}"
    except Exception:  # DisallowedHost and the like: Django's own answer, uncached
        return None
    return _route(request.META, origin)


def _valid_entry(found: dict, route: _Route, now: float):
    """The stored answer when it is still right (its generations are the current ones
    and it has not expired), else None."""
    entry = found.get(route.entry_key)
    if entry is None or entry[0] != _ENTRY_FORMAT or entry[5] <= now:
        return None
    generations = tuple(found.get(key) for key in route.dependencies)
    return entry if entry[6] == generations and None not in generations else None


def wsgi_front(application):
    """Wrap the WSGI application: a plain GET whose stored answer is valid is answered
    here, before Django builds a request and runs the middleware (the same checks as
    ResponseCacheMiddleware, which answers everything else). An entry exists only for a
    host Django validated when it was stored, so the raw Host header is safe to key on."""

    def front(environ, start_response):
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or not environ.get("PATH_INFO", "").startswith("/api/v1/")
            or not ResponseCacheMiddleware._cache_usable()
            or any(header in environ for header in _CONDITIONAL_HEADERS)
        ):
            return application(environ, start_response)
        origin = _origin(environ)
        route = _route(environ, origin) if origin else None
        if route is None:
            return application(environ, start_response)
        try:
            found = _cache().get_many([route.entry_key, *route.dependencies])
        except Exception:
            found = {}
        now = timezone.now().timestamp()
        entry = _valid_entry(found, route, now)
        if entry is None:
            return application(environ, start_response)
        body, headers, expires = entry[1], entry[2], entry[5]
        response_headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        response_headers.append(("Content-Length", str(len(body))))
        response_headers.append(("Cache-Control", _public_cache_control(expires - now)))
        start_response("200 OK", response_headers)
        return [body]

    return front


class ResponseCacheMiddleware:
    """Answers public reads from the cache, stores them, and sets Cache-Control."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.startswith("/api/v1/"):
            return self.get_response(request)
        route = _public_route(request) if request.method in ("GET", "HEAD") else None
        if route is None:
            response = self.get_response(request)
            if request.method in ("GET", "HEAD") and _PUBLIC_ROUTE.match(path):
                self._set_headers(response)
            elif "Cache-Control" not in response:
                # Private (staff, a reader's own data) and unsafe requests: no shared
                # cache may keep them, whatever a proxy's defaults are.
                response["Cache-Control"] = "no-store"
            return response
        if request.method != "GET" or not self._cache_usable():
            response = self.get_response(request)
            self._set_headers(response)
            return response
        return self._cached(request, route)

    @staticmethod
    def _cache_usable() -> bool:
        return settings.API_RESPONSE_CACHE and time.monotonic() >= _cache_paused_until

    @staticmethod
    def _set_headers(response) -> None:
        if "Cache-Control" in response:  # the view decided
            return
        if response.status_code in (200, 304):
            limit = getattr(response, "_cache_expires_at", None)
            seconds_left = None if limit is None else limit - timezone.now().timestamp()
            response["Cache-Control"] = _public_cache_control(seconds_left)
            _without_cookie_vary(response)
        else:
            # 301 from an old slug (the slug may be reused), 404 of an article about to be
            # published, 400s, 429s: none of them may be kept.
            response["Cache-Control"] = "no-store"

    def _cached(self, request, route: _Route):
        global _cache_paused_until
        cache = _cache()
        keys = [route.entry_key, *route.dependencies]
        started = time.monotonic()
        try:
            found = cache.get_many(keys)
        except Exception:
            logger.exception("Response cache unavailable")
            found = {}
        if not found and time.monotonic() - started > _SLOW_CACHE_SECONDS:
            _cache_paused_until = time.monotonic() + _CACHE_PAUSE_SECONDS
            logger.warning("Response cache too slow: not used for %d s", _CACHE_PAUSE_SECONDS)
            response = self.get_response(request)
            self._set_headers(response)
            return response
        now = timezone.now().timestamp()
        entry = _valid_entry(found, route, now)
        if entry is not None:
            return self._hit(request, entry, now)
        missing = {key: _token() for key in route.dependencies if found.get(key) is None}
        generations = tuple(missing.get(key) or found[key] for key in route.dependencies)
        if missing:
            # First use of a scope (or its key was evicted): start it before the view
            # reads anything, so a write committing meanwhile replaces it after us.
            try:
                cache.set_many(missing, timeout=None)
            except Exception:
                logger.exception("Response cache unavailable")
        response = self._fill(request, route, generations, now)
        return response

    def _hit(self, request, entry, now: float):
        _, body, headers, etag, last_modified, expires, _ = entry
        response = HttpResponse(body, headers=headers)
        response["Cache-Control"] = _public_cache_control(expires - now)
        if any(header in request.META for header in _CONDITIONAL_HEADERS):
            response = get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=response
            )
        return response

    def _fill(self, request, route: _Route, generations: tuple[int, ...], now: float):
        # The stack answers in full (200, not 304), so the answer can be stored whatever
        # the client already has; the conditional headers are applied here afterwards.
        held = {h: request.META.pop(h) for h in _CONDITIONAL_HEADERS if h in request.META}
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
            self._set_headers(response)
            return response
        expires = now + settings.API_RESPONSE_CACHE_TIMEOUT
        view_limit = getattr(response, "_cache_expires_at", None)
        if view_limit is not None:
            expires = min(expires, view_limit)
        body = response.content
        if not response.has_header("ETag"):
            set_response_etag(response)
        _without_cookie_vary(response)
        if expires > now and len(body) <= settings.API_RESPONSE_CACHE_MAX_BYTES:
            last_modified = response.get("Last-Modified")
            entry = (
                _ENTRY_FORMAT,
                body,
                tuple(response.items()),
                response["ETag"],
                last_modified and parse_http_date_safe(last_modified),
                expires,
                generations,
            )
            try:
                _cache().set(route.entry_key, entry, timeout=math.ceil(expires - now))
            except Exception:
                logger.exception("Response cache unavailable")
        response["Cache-Control"] = _public_cache_control(expires - now)
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


# --- stored counts of the article list ---------------------------------------------

_COUNT = "rc:c:"
_COUNT_IGNORED_PARAMETERS = frozenset({"page", "page_size", "ordering"})


def count_key(request) -> str:
    """One key per filter combination of a list (page, size and order do not change how
    many rows there are)."""
    query = sorted(
        (name, values)
        for name, values in request.GET.lists()
        if name not in _COUNT_IGNORED_PARAMETERS
    )
    address = f"{request.path_info}?{query!r}".encode()
    return _COUNT + hashlib.blake2b(address, digest_size=16).hexdigest()


def count_lookup(key: str) -> tuple[int | None, int | None]:
    """(the stored count if still right, the current `articles` generation)."""
    global _cache_paused_until
    if not settings.API_COUNT_CACHE or time.monotonic() < _cache_paused_until:
        return None, None
    started = time.monotonic()
    try:
        found = _cache().get_many([key, ARTICLES_GENERATION])
    except Exception:
        return None, None
    if not found and time.monotonic() - started > _SLOW_CACHE_SECONDS:
        _cache_paused_until = time.monotonic() + _CACHE_PAUSE_SECONDS
        return None, None
    generation = found.get(ARTICLES_GENERATION)
    stored = found.get(key)
    if generation is None or stored is None:
        return None, generation
    count, stored_generation, expires = stored
    if stored_generation != generation or expires <= timezone.now().timestamp():
        return None, generation
    return count, generation


def count_store(key: str, count: int, generation: int | None, expires_at: datetime | None):
    """Keep a count computed under `generation` until it changes, the next scheduled
    publication (`expires_at`) or the response cache's timeout, whichever comes first."""
    if not settings.API_COUNT_CACHE or time.monotonic() < _cache_paused_until:
        return
    now = timezone.now().timestamp()
    expires = now + settings.API_RESPONSE_CACHE_TIMEOUT
    if expires_at is not None:
        expires = min(expires, expires_at.timestamp())
    if expires <= now:
        return
    try:
        if generation is None:
            # First use of the scope: start it, so a later change replaces it.
            generation = _token()
            if not _cache().add(ARTICLES_GENERATION, generation, timeout=None):
                return
        _cache().set(key, (count, generation, expires), timeout=math.ceil(expires - now))
    except Exception:
        logger.exception("Response cache unavailable")
