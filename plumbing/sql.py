"""Helpers for the few statements written as SQL (on hot paths, where building them
through the ORM cost as much as running them)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime


def aware_datetime(value) -> datetime | None:
    """A date-time column read by a cursor, as an aware datetime. PostgreSQL answers an
    aware one; SQLite a naive one in UTC for a column declared `datetime`, and the
    stored text for an expression (an aggregate has no declared type). Django's own
    converters act on model fields, not on a cursor's columns."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
