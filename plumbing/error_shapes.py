"""The error bodies answered before a view runs (NUL bytes, Django's 404/500), in the
shape of the API the path belongs to: DRF's `{"detail"}` under /api/, WordPress's
`{"code", "message", "data": {"status"}}` under /wp-json/ (the wordpress_api app)."""

WORDPRESS_PREFIX = "/wp-json/"


def wordpress_error(code: str, message: str, status_code: int) -> dict:
    return {"code": code, "message": message, "data": {"status": status_code}}
