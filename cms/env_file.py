"""A development checkout's env file: `make run` writes `.env` (DJANGO_DEBUG=1) at the
repository root, so manage.py commands work without remembering the variable.

Real environment variables win over the file; pytest (which sets PYTEST_VERSION, also
for the servers it starts) never reads it, and production has no such file, so it keeps
refusing to start without a secret key. DJANGO_ENV_FILE= (empty) turns it off.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def read_env_file(path: Path) -> dict[str, str]:
    """The NAME=value lines of a development env file: blank lines and `#` comments
    skipped, an optional leading `export `, one pair of quotes around a value removed;
    nothing else is interpreted (no variables, no inline comments)."""
    values = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line.removeprefix("export ").lstrip()
        name, equals, value = (part.strip() for part in line.partition("="))
        if not equals or not name.isidentifier():
            raise ImproperlyConfigured(f"{path}, line {number}: expected NAME=value")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def load_env_file(path: Path) -> None:
    """Put the file's variables into the environment, where it does not already have
    them; nothing when the file is missing or pytest is running."""
    if "PYTEST_VERSION" in os.environ or not path.is_file():
        return
    for name, value in read_env_file(path).items():
        os.environ.setdefault(name, value)
