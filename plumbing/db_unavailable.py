"""Answers for when a backing service is down."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

UNAVAILABLE = "The service is temporarily unavailable. Please try again shortly."


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached answers 503 (JSON on /api/), never a 500 page
    or a traceback; Retry-After tells clients and CDNs when to come back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: %s", type(exception).__name__)
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": UNAVAILABLE}, status=503)
        else:
            response = HttpResponse(UNAVAILABLE, status=503, content_type="text/plain")
        response["Retry-After"] = "30"
        # Read by ReadReplicaMiddleware: a read that a fallen replica failed is answered
        # again from the primary.
        response.database_unavailable = True
        return response
