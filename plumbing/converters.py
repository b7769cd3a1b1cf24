"""URL converters."""


class DatabaseIdConverter:
    """A primary key: 1 to 18 digits, so an id too large for a 64-bit column is a plain
    404 (no route) instead of an overflow deep in the database driver."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
