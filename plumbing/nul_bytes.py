"""Refuse NUL characters in the path and the query string.

No route of ours takes one, and PostgreSQL cannot hold one in a text value: a NUL in a
slug or a filter value would otherwise travel down to the database and come back as a
DataError (a 500) on PostgreSQL while SQLite quietly finds nothing. One check here gives
every route, the admin's filters included, the same 400 on every database.
"""

from django.http import HttpResponseBadRequest, JsonResponse

from plumbing.error_shapes import WORDPRESS_PREFIX, wordpress_error

DETAIL = "The request's path or query string contains a NUL character."


class RefuseNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": DETAIL}, status=400)
            if request.path.startswith(WORDPRESS_PREFIX):  # WordPress's error shape
                return JsonResponse(wordpress_error("rest_invalid_param", DETAIL, 400), status=400)
            return HttpResponseBadRequest(DETAIL, content_type="text/plain")
        return self.get_response(request)
