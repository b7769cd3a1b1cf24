"""Reading typed settings from the environment, with a clear error for a bad value."""

import os
import re
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def _env_number(name: str, default: float, parse: type[int] | type[float], what: str):
    """`parse` of the variable, `default` when it is unset or blank; `what` names the
    expected kind in the error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be {what}, got {raw!r}") from exc


def env_int(name: str, default: int) -> int:
    return _env_number(name, default, int, "an integer")


def env_float(name: str, default: float) -> float:
    return _env_number(name, default, float, "a number")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")


def env_name(name: str, default: str) -> str:
    """The name of a database object (`name` or `schema.name`: letters, digits and
    underscores), safe to write into SQL; `default` when unset or blank."""
    value = (os.environ.get(name) or "").strip() or default
    if not _NAME.fullmatch(value):
        raise ImproperlyConfigured(f"{name} must be a name such as {default!r}, got {value!r}")
    return value


def env_secret_key(*, debug: bool, var_dir: Path) -> str:
    """DJANGO_SECRET_KEY: required, and strong, when DEBUG is off. In development a
    missing key is generated once and kept in `var_dir`, so sessions survive restarts."""
    key = os.environ.get("DJANGO_SECRET_KEY", "")
    if key:
        if not debug and (len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure")):
            raise ImproperlyConfigured(
                "DJANGO_SECRET_KEY is too weak for production: use at least 50 random characters."
            )
        return key
    if not debug:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off.")
    key_file = var_dir / "dev_secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    return key
