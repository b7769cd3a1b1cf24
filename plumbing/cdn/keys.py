"""What a surrogate key may be: lowercase ASCII letters, digits and hyphens, 1 to 64
characters. Safe, as is, inside every CDN's header (spaces separate Fastly's and
Varnish's keys, commas Cloudflare's) and inside a Varnish ban regex."""

from __future__ import annotations

import re
from collections.abc import Iterable

_KEY = re.compile(r"[a-z0-9-]{1,64}")


def checked(keys: Iterable[str]) -> set[str]:
    """The keys as a set; a key outside the vocabulary is a programming error."""
    found = set(keys)
    for key in found:
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise ValueError(f"Not a surrogate key: {key!r}")
    return found


def batches(keys: Iterable[str], size: int) -> list[list[str]]:
    """The keys, sorted, in lists of at most `size` (one purge request each)."""
    ordered = sorted(set(keys))
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]
