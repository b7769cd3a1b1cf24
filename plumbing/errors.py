"""One error shape for the whole API.

DRF's conventions: 400 answers `{"field": ["message", ...]}` (non-field problems under
`non_field_errors`), every other error `{"detail": "..."}`. Django-level errors on
`/api/` paths (unknown URL, server error) are answered in the same shape instead of
Django's HTML pages.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from plumbing.error_shapes import WORDPRESS_PREFIX, wordpress_error


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "payload_too_large"


def api_exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    return exception_handler(exc, context)


def _api_or(default_view, status_code: int, detail: str):
    """A Django error handler answering JSON on /api/ paths (and /wp-json/ ones, in
    WordPress's shape) and the default page elsewhere."""

    def view(request, *args, **kwargs):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail}, status=status_code)
        if request.path.startswith(WORDPRESS_PREFIX):
            code = "rest_no_route" if status_code == 404 else f"http_{status_code}"
            return JsonResponse(wordpress_error(code, detail, status_code), status=status_code)
        return default_view(request, *args, **kwargs)

    return view


handler400 = _api_or(defaults.bad_request, 400, "Bad request.")
handler403 = _api_or(defaults.permission_denied, 403, "Permission denied.")
handler404 = _api_or(defaults.page_not_found, 404, "Not found.")
handler500 = _api_or(defaults.server_error, 500, "Server error.")
