"""The API's JSON renderer: DRF's JSONRenderer output, written by orjson.

orjson serializes the lists of dicts of strings and numbers our serializers produce
several times faster than the standard library's `json` with DRF's encoder class. The
bytes are the same as DRF's: compact separators, UTF-8 (no ASCII escaping: DRF's
UNICODE_JSON), U+2028/U+2029 escaped so the output stays a JavaScript subset, and every
type orjson does not know natively (dates and times, Decimal, lazy translations, ...)
goes through DRF's own encoder, so it is written exactly as DRF writes it. What orjson
refuses or writes differently (an indented rendering asked for with
`Accept: application/json; indent=4`, integers beyond 64 bits, non-string dict keys, a
non-finite Decimal) is rendered by DRF's renderer itself; tests/test_renderers.py compares
the bytes. Two differences remain, both about floats, of which our API has none: a float
below 1e-4 is written in another, equivalent notation ("1e-7" where Python writes
"1e-07": the same number to every JSON parser), and a non-finite float is written `null`
where DRF refuses it (STRICT_JSON). Looking for either in every payload would cost more
than the rendering.
"""

from __future__ import annotations

import math

import orjson
from rest_framework.renderers import JSONRenderer

# datetime/date/time and dataclasses go to `default` (DRF's encoder), not orjson's own
# formatting, which differs (e.g. "+00:00" where DRF writes "Z").
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_LINE_SEPARATOR = "\u2028".encode()
_PARAGRAPH_SEPARATOR = "\u2029".encode()


class _FallBack(Exception):
    """A value orjson would write differently from DRF: render with DRF instead."""


class ORJSONRenderer(JSONRenderer):
    """Drop-in for rest_framework.renderers.JSONRenderer (same media type and format)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if (
            self.get_indent(accepted_media_type, renderer_context or {}) is not None
            or not self.compact
            or self.ensure_ascii
        ):
            return super().render(data, accepted_media_type, renderer_context)
        encoder = self.encoder_class()

        def default(value):
            converted = encoder.default(value)
            if isinstance(converted, float) and not math.isfinite(converted):
                raise _FallBack  # e.g. Decimal("NaN")
            return converted

        try:
            rendered = orjson.dumps(data, default=default, option=_OPTIONS)
        except (orjson.JSONEncodeError, _FallBack):
            # Non-string keys, 65-bit integers, lone surrogates, unknown types: DRF's
            # renderer answers these exactly as before (a string, or its own error).
            return super().render(data, accepted_media_type, renderer_context)
        if _LINE_SEPARATOR in rendered or _PARAGRAPH_SEPARATOR in rendered:
            rendered = rendered.replace(_LINE_SEPARATOR, b"\\u2028").replace(
                _PARAGRAPH_SEPARATOR, b"\\u2029"
            )
        return rendered
