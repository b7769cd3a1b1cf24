"""The registry of cacheable public read routes.

The response cache answers a GET from its store before Django resolves the URL, so it
needs to know, from the path alone, whether a request is a public read and which scopes
its answer depends on. Apps tell it in their `cache.py` (`register_route`); this module
holds no route of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_plus

# The scopes an answer depends on, from the route pattern's match.
Dependencies = Callable[[re.Match], tuple[str, ...]]
# More scopes from the query string (percent-decoded): an order by a counter, say.
QueryDependencies = Callable[[str], tuple[str, ...]]


def _none(query: str) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class CacheableRoute:
    pattern: re.Pattern
    dependencies: Dependencies
    # Requests carrying one of these WSGI environ keys go through the whole stack
    # uncached (e.g. credentials a view must check itself).
    bypass_when_present: tuple[str, ...] = ()
    query_dependencies: QueryDependencies = _none

    def scopes(self, found: re.Match, query_string: str) -> tuple[str, ...]:
        scopes = self.dependencies(found)
        if query_string:
            scopes += self.query_dependencies(unquote_plus(query_string))
        return scopes


_routes: list[CacheableRoute] = []


def register_route(
    pattern: str,
    dependencies: Dependencies,
    *,
    bypass_when_present: tuple[str, ...] = (),
    query_dependencies: QueryDependencies = _none,
) -> None:
    """Declare a public read route (a regex over PATH_INFO, anchored at both ends) whose
    GET answers may be stored, and the scopes they depend on (from the path, and from
    the query string). A view may name more after reading its rows
    (hints.also_depends_on). Registering the same pattern again replaces it (apps'
    ready() may run twice in tests)."""
    compiled = re.compile(pattern)
    _routes[:] = [route for route in _routes if route.pattern.pattern != pattern]
    _routes.append(CacheableRoute(compiled, dependencies, bypass_when_present, query_dependencies))


def match(path_info: str) -> tuple[CacheableRoute, re.Match] | None:
    """The registered route a path belongs to, with its match, or None."""
    for route in _routes:
        found = route.pattern.fullmatch(path_info)
        if found is not None:
            return route, found
    return None
