"""JSON for every error on an /api/ path, in every mode.

A module of its own: the middleware is loaded with the settings, before DRF, and
plumbing.errors imports DRF (whose settings import our parsers, which import
plumbing.errors).
"""

from django.http import JsonResponse


class JsonErrorsForApiMiddleware:
    """Any error answered in HTML on an /api/ path becomes the API's JSON shape. The
    handlers above already answer JSON in production; with DEBUG on (`make run`) Django
    answers an unknown URL, or a crash, with its technical HTML page instead, which a
    frontend's client cannot read. The traceback still goes to the console's log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith("/api/")
            and response.get("Content-Type", "").startswith("text/html")
        ):
            replaced = JsonResponse(
                {"detail": _DETAILS.get(response.status_code, response.reason_phrase + ".")},
                status=response.status_code,
            )
            for header in ("Allow", "Retry-After", "Cache-Control", "Vary"):
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response


_DETAILS = {400: "Bad request.", 403: "Permission denied.", 404: "Not found.", 500: "Server error."}
