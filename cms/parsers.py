"""Request parsers that refuse oversized bodies.

DRF's parsers read the request stream directly, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE
(which guards `request.body`) does not apply to JSON. These read at most that many
bytes and answer 413 beyond it, and turn undecodable text into a clear 400.
"""

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from cms.errors import PayloadTooLarge


def _bounded_body(stream, parser_context) -> bytes:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    request = (parser_context or {}).get("request")
    declared = request.META.get("CONTENT_LENGTH") if request is not None else None
    try:
        if declared and int(declared) > limit:
            raise PayloadTooLarge()
    except ValueError:
        raise ParseError("Invalid Content-Length header.") from None
    if stream is None:
        return b""
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge()
    return body


class BoundedJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        import io

        body = _bounded_body(stream, parser_context)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError("JSON parse error - request body is not valid UTF-8.") from None
        return super().parse(io.BytesIO(body), media_type, parser_context)


class BoundedFormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        import io

        body = _bounded_body(stream, parser_context)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError("Form parse error - request body is not valid UTF-8.") from None
        return super().parse(io.BytesIO(body), media_type, parser_context)
