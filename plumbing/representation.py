"""Writing API output directly, as DRF's fields would: for the serializers that build
their dicts by hand on hot paths (article lists, comment threads), with tests comparing
them with DRF's generic path."""

from __future__ import annotations

from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

_DATETIME = serializers.DateTimeField()


def datetime_text(serializer, value) -> str | None:
    """DRF's DateTimeField output. An aware value in ISO 8601 (the project's format) is
    converted here with the time zone looked up once per serializer; anything else goes
    through the field itself."""
    if value is None:
        return None
    if value.tzinfo is not None and api_settings.DATETIME_FORMAT.lower() == ISO_8601:
        tz = serializer.__dict__.get("_current_timezone")
        if tz is None:
            tz = serializer._current_timezone = _DATETIME.default_timezone()
        if tz is not None:
            text = value.astimezone(tz).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
    return _DATETIME.to_representation(value)
