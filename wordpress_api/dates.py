"""Dates as WordPress writes and reads them.

WordPress gives every date twice, without an offset: `date` in the site's time zone
(TIME_ZONE here) and `date_gmt` in UTC, both `YYYY-MM-DDThh:mm:ss`. Query dates
(`after`, `before`) are ISO 8601; one without an offset is in the site's time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

_FORMAT = "%Y-%m-%dT%H:%M:%S"


def local(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).strftime(_FORMAT) if moment else None


def gmt(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime(_FORMAT) if moment else None


def parse(value: str) -> datetime | None:
    """An aware datetime from ISO 8601 (the site's zone when no offset), or None."""
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        return None
    if parsed is None:
        return None
    try:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows.
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):  # past year 9999 once in UTC
        return None
