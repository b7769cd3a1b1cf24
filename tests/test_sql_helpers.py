"""plumbing/sql.py: what a cursor answers for a date-time, as an aware datetime."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from plumbing.sql import aware_datetime

MOMENT = datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    "read",
    [
        MOMENT,  # PostgreSQL
        MOMENT.astimezone(timezone(timedelta(hours=2))),  # PostgreSQL, another session zone
        MOMENT.replace(tzinfo=None),  # SQLite, a column declared datetime
        "2026-11-26 09:30:15.123456",  # SQLite, an expression (MAX(...))
    ],
)
def test_every_form_reads_as_the_same_aware_moment(read):
    value = aware_datetime(read)
    assert value == MOMENT and value.utcoffset() is not None


def test_null_stays_null():
    assert aware_datetime(None) is None
