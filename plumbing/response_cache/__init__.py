"""The public response cache: stored answers of public read routes, invalidated by
generation tokens per scope, and the Cache-Control headers a CDN uses.

Modules, one concern each (docs/performance.md has the whole story):

- `generations`: scopes and their tokens; `invalidate(scopes)` replaces them now and
  again when the transaction commits.
- `routes`: the registry of cacheable routes. Apps register their own (path pattern ->
  the scopes an answer depends on) in their `cache.py`; this package knows no route.
- `store`: the cache backend, its entries, and the pause taken when it hangs.
- `front`: the WSGI front that answers valid hits before Django builds a request.
- `middleware`: stores answers, answers what the front did not, sets Cache-Control.
- `hints`: what views tell the cache (an answer's expiry, "do not store", the surrogate
  keys a CDN purges it by: plumbing/cdn/, docs/deployment.md).
- `counts`: list totals kept between changes of a scope.
"""
