"""Request plumbing every app shares: the API's error shape, parsers and renderer, the
trusted client IP, health and API-docs helpers, log redaction, and the public response
cache machinery (`plumbing.response_cache`). Nothing here knows about articles or
comments: apps declare what they need from it (their routes and scopes live in
`articles/cache.py` and `comments/cache.py`)."""
