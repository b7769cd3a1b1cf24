"""Purging a CDN (or Varnish) by surrogate key.

Every cacheable public answer names the keys it is built from (`Surrogate-Key`,
`Cache-Tag`: hints.surrogate_keys, set by the response cache's middleware). A write
names the keys it changed (`purge_after_commit`, from the apps' cache.py receivers); once
the transaction commits, one task (plumbing.cdn.tasks.purge_keys) asks every configured
purger to drop what carries them. docs/deployment.md has the vocabulary.

Modules: `keys` (what a key may be), `pending` (the keys a transaction changed),
`base` (a purger, batching, the HTTP call and what a failure means), `varnish`, `fastly`,
`cloudflare` (one purger each), `tasks` (the task, its retries and the repeat after
replica lag). With CDN_PURGERS empty (the default) none of this runs.
"""
