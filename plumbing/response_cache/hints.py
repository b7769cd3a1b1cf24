"""What views tell the response cache about their answers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from plumbing.cdn.keys import checked


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


def also_depends_on(response, scopes: Iterable[str], *, still_current: Callable[[], bool]) -> None:
    """The answer also depends on these scopes, known only once the view read its rows
    (the articles a page shows). Their generations can only be read after the rows, so
    a change committed in between would go unnoticed: once it has read them, the cache
    calls `still_current()`, which checks again, in the database, what the scopes stand
    for (and stores nothing when it answers False)."""
    response._cache_also_depends_on = (tuple(scopes), still_current)


# Carried by every public answer: purging it empties a CDN of all of them (a change of
# what every page shows, such as the moderation policy, or a bulk import).
EVERY_ANSWER_KEY = "all"


def surrogate_keys(response, keys: Iterable[str]) -> None:
    """The answer is built from what these surrogate keys name (docs/deployment.md:
    `article-12`, `thread-12`, `articles`...): a CDN keeps it until one of them is
    purged. Named from the rows the view already read (no query of their own); the
    middleware sends them as `Surrogate-Key` and `Cache-Tag` on public answers only, and
    they are stored with the answer, so hits carry them too. Several calls add up."""
    found = checked(keys)
    response._surrogate_keys = getattr(response, "_surrogate_keys", set()) | found


def surrogate_key_headers(response) -> dict[str, str]:
    """The two headers naming the answer's keys (and EVERY_ANSWER_KEY): space-separated
    for Fastly and Varnish, comma-separated for Cloudflare."""
    keys = sorted({EVERY_ANSWER_KEY, *getattr(response, "_surrogate_keys", ())})
    return {"Surrogate-Key": " ".join(keys), "Cache-Tag": ",".join(keys)}
