"""A purger: sends one CDN's purge requests for a set of keys, in batches of at most
its per-request limit, and says whether a failure is worth retrying.

HTTP through urllib (no extra dependency), with a short timeout: a purge runs in the
task worker, and a CDN API that hangs must not hold it.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from plumbing.cdn.keys import batches

logger = logging.getLogger(__name__)


class PurgeFailed(Exception):
    """A purge request failed. `retry`: worth sending again later (no answer, a 5xx, a
    429); otherwise (another 4xx: a wrong token, service or zone) it would fail again."""

    def __init__(self, message: str, *, retry: bool):
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None = None


def send(request: Request, *, timeout: float) -> None:
    """Send one purge request; raise PurgeFailed unless it answers 2xx."""
    if not request.url.startswith(("http://", "https://")):
        raise PurgeFailed(f"Not an http(s) URL: {request.url}", retry=False)
    http_request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        request.url, data=request.body, headers=request.headers, method=request.method
    )
    try:
        with urllib.request.urlopen(http_request, timeout=timeout) as answer:  # noqa: S310
            answer.read()
    except urllib.error.HTTPError as error:
        status = error.code
        detail = error.read(500).decode("utf-8", "replace")
        raise PurgeFailed(
            f"{request.method} {request.url} answered {status}: {detail}",
            retry=status >= 500 or status == 429,
        ) from None
    except (OSError, ValueError) as error:  # URLError, timeouts, refused connections
        raise PurgeFailed(f"{request.method} {request.url} failed: {error}", retry=True) from None


class Purger:
    """One CDN. Subclasses give `name`, `batch_size` and `requests(batch)`."""

    name = ""
    batch_size = 100

    def __init__(self, config: dict, *, timeout: float):
        self.config = config
        self.timeout = timeout

    def requests(self, keys: list[str]) -> list[Request]:
        raise NotImplementedError

    def purge(self, keys) -> None:
        """Purge every key; raise PurgeFailed at the first request that fails (a retry
        sends them all again: purging a key twice is harmless)."""
        for batch in batches(keys, self.batch_size):
            for request in self.requests(batch):
                send(request, timeout=self.timeout)
        logger.info("CDN purge (%s): %d keys", self.name, len(set(keys)))
