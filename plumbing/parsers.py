"""Request parsers that refuse oversized bodies.

DRF's parsers read the request stream directly, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE
(which guards `request.body`) does not apply to JSON. These read at most that many
bytes and answer 413 beyond it, and turn undecodable text into a clear 400.
"""

import io
import re

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from plumbing.errors import PayloadTooLarge

_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_declared_oversize(parser_context) -> None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    request = (parser_context or {}).get("request")
    declared = request.META.get("CONTENT_LENGTH") if request is not None else None
    try:
        if declared and int(declared) > limit:
            raise PayloadTooLarge()
    except ValueError:
        raise ParseError("Invalid Content-Length header.") from None


def _bounded_utf8_body(stream, parser_context, *, kind: str) -> io.BytesIO:
    """The body, read whole if within the limit (413 beyond it), as a new stream for the
    parser; a 400 naming the `kind` of body unless it is UTF-8."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    _refuse_declared_oversize(parser_context)
    body = b"" if stream is None else stream.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge()
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError(f"{kind} parse error - request body is not valid UTF-8.") from None
    return io.BytesIO(body)


def _contains_lone_surrogate(data) -> bool:
    # Iterative: the parsed document may be nested close to the recursion limit.
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


class BoundedJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = _bounded_utf8_body(stream, parser_context, kind="JSON")
        try:
            data = super().parse(body, media_type, parser_context)
        except RecursionError:
            # json raises this (not ValueError) on deeply nested arrays or objects.
            raise ParseError("JSON parse error - nested too deeply.") from None
        # A "\ud800" escape decodes to a lone surrogate, which is not text: echoed back in
        # an error message (an unknown field's name, an invalid choice) it cannot be
        # encoded as UTF-8 and the response would fail with a 500.
        if _contains_lone_surrogate(data):
            raise ParseError("JSON parse error - lone surrogate escape (\\uD800-\\uDFFF).")
        return data


class BoundedFormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = _bounded_utf8_body(stream, parser_context, kind="Form")
        return super().parse(body, media_type, parser_context)


class BoundedMultiPartParser(parsers.MultiPartParser):
    """No endpoint takes file uploads; without this, a multipart body's file parts (which
    DATA_UPLOAD_MAX_MEMORY_SIZE does not cover) would be read and spooled to disk whatever
    their size before the request is refused."""

    def parse(self, stream, media_type=None, parser_context=None):
        _refuse_declared_oversize(parser_context)
        return super().parse(stream, media_type, parser_context)
