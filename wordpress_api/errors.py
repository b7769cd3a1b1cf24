"""WordPress's error shape: `{"code", "message", "data": {"status", ...}}`.

Every answer under /wp-json/ uses it, DRF's own exceptions (unknown method, bad JSON,
throttled, too large) included, with the codes WordPress gives in the same situations.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response


class WordPressError(exceptions.APIException):
    """An answer in WordPress's error shape. `data` adds to `{"status": ...}` (e.g.
    `params` and `details` of rest_invalid_param)."""

    def __init__(self, code: str, message: str, status: int, **data):
        super().__init__(message)
        self.status_code = status
        self.code = code
        self.message = message
        self.data = data

    def body(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status_code, **self.data},
        }


def invalid_params(problems: dict[str, tuple[str, str]]) -> WordPressError:
    """rest_invalid_param for {parameter: (detail code, message)}, as WordPress answers
    a query parameter its schema refuses."""
    names = ", ".join(problems)
    return WordPressError(
        "rest_invalid_param",
        f"Invalid parameter(s): {names}",
        400,
        params={name: message for name, (_, message) in problems.items()},
        details={
            name: {"code": code, "message": message, "data": None}
            for name, (code, message) in problems.items()
        },
    )


NOT_FOUND = {
    "posts": ("rest_post_invalid_id", "Invalid post ID."),
    "categories": ("rest_term_invalid", "Term does not exist."),
    "tags": ("rest_term_invalid", "Term does not exist."),
    "users": ("rest_user_invalid_id", "Invalid user ID."),
    "comments": ("rest_comment_invalid_id", "Invalid comment ID."),
    "media": ("rest_post_invalid_id", "Invalid post ID."),
}


def not_found(kind: str) -> WordPressError:
    code, message = NOT_FOUND[kind]
    return WordPressError(code, message, 404)


NO_ROUTE = ("rest_no_route", "No route was found matching the URL and request method.")


def no_route_response(request=None, exception=None) -> JsonResponse:
    code, message = NO_ROUTE
    return JsonResponse({"code": code, "message": message, "data": {"status": 404}}, status=404)


def _translated(exc) -> WordPressError | None:
    if isinstance(exc, WordPressError):
        return exc
    if isinstance(exc, RequestDataTooBig):
        return WordPressError("rest_request_too_large", "Request body is too large.", 413)
    if isinstance(exc, exceptions.MethodNotAllowed):
        # WordPress answers 404 here; HTTP's 405 (with Allow) tells a client more, and
        # WordPress clients never send a method a route does not take.
        return WordPressError(*NO_ROUTE, 405)
    if isinstance(exc, exceptions.NotFound):
        return WordPressError(*NO_ROUTE, 404)
    if isinstance(exc, exceptions.Throttled):
        return WordPressError(
            "rest_too_many_requests",
            "You are sending requests too quickly. Slow down.",
            429,
            retry_after=exc.wait and int(exc.wait),
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return WordPressError("rest_invalid_content_type", str(exc.detail), 415)
    if isinstance(exc, exceptions.ParseError):
        return WordPressError("rest_invalid_json", "Invalid JSON body passed.", 400)
    if isinstance(exc, exceptions.APIException):
        return WordPressError(f"rest_{exc.default_code}", str(exc.detail), exc.status_code)
    return None


def wordpress_exception_handler(exc, context):
    """DRF's exception handler for the WordPress views (their get_exception_handler)."""
    error = _translated(exc)
    if error is None:
        return None  # a server error: Django's handler500 answers
    response = Response(error.body(), status=error.status_code)
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait:
        response["Retry-After"] = str(int(wait))
    return response
