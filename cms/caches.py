"""The CACHES setting, from the environment (a settings helper, like cms/replicas.py):
Redis when REDIS_URL is set, Redis found through Sentinel when REDIS_SENTINELS is set,
local memory otherwise (docs/deployment.md, "Several app nodes")."""

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

from cms.env import env_float

SENTINEL_PORT = 26379


def redis_cache_options() -> dict:
    return {
        # After a failure, calls fail at once for REDIS_CIRCUIT_SECONDS instead of each
        # waiting for its socket timeout (plumbing/redis_circuit.py).
        "CLIENT_CLASS": "plumbing.redis_circuit.CircuitBreakerClient",
        "SOCKET_CONNECT_TIMEOUT": env_float("REDIS_SOCKET_TIMEOUT", 0.25),
        "SOCKET_TIMEOUT": env_float("REDIS_SOCKET_TIMEOUT", 0.25),
        # A cache outage degrades to "no cache" instead of failing requests.
        "IGNORE_EXCEPTIONS": True,
    }


def cache_settings(redis_url: str, options: dict, environ: Mapping[str, str] = os.environ) -> dict:
    sentinels = sentinel_addresses(environ.get("REDIS_SENTINELS", ""))
    if sentinels and redis_url:
        raise ImproperlyConfigured(
            "Set REDIS_URL (one Redis) or REDIS_SENTINELS (Redis found through Sentinel), not both."
        )
    if sentinels:
        location, options = sentinel_location_and_options(sentinels, options, environ)
    elif redis_url:
        location = redis_url
    else:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "cms-default",
            }
        }
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": options,
            "KEY_PREFIX": environ.get("CACHE_KEY_PREFIX", "cms"),
        }
    }


def sentinel_addresses(raw: str) -> list[tuple[str, int]]:
    """`host:port,host:port` (port 26379 when left out) as redis-py's Sentinel takes it."""
    addresses = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        host, _, port = item.rpartition(":") if ":" in item else (item, "", "")
        host = host.strip("[]")  # [::1]:26379
        try:
            addresses.append((host, int(port) if port else SENTINEL_PORT))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"REDIS_SENTINELS must be host:port pairs separated by commas, got {item!r}"
            ) from exc
        if not host:
            raise ImproperlyConfigured(f"REDIS_SENTINELS: no host in {item!r}")
    return addresses


def sentinel_location_and_options(
    sentinels: list[tuple[str, int]], options: dict, environ: Mapping[str, str]
) -> tuple[str, dict]:
    """django-redis's own Sentinel support (its README, "Use the sentinel connection
    factory"): LOCATION names the monitored master, `redis://<master name>/<db>`; the
    connection factory asks the Sentinels where that master is, again after a failover.
    Our client is django-redis's SentinelClient with the circuit breaker, reading from
    the master only (plumbing/redis_circuit.py says why)."""
    master = environ.get("REDIS_SENTINEL_MASTER", "").strip()
    if not master:
        raise ImproperlyConfigured(
            "REDIS_SENTINEL_MASTER (the monitored master's name) is required with REDIS_SENTINELS."
        )
    db = environ.get("REDIS_SENTINEL_DB", "0").strip() or "0"
    if not db.isdigit():
        raise ImproperlyConfigured(f"REDIS_SENTINEL_DB must be a number, got {db!r}")
    sentinel_options = {
        **options,
        "CLIENT_CLASS": "plumbing.redis_circuit.SentinelCircuitBreakerClient",
        "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
        "SENTINELS": sentinels,
        # The Sentinels answer within the same short timeouts as Redis itself.
        "SENTINEL_KWARGS": {
            "socket_timeout": options.get("SOCKET_TIMEOUT"),
            "socket_connect_timeout": options.get("SOCKET_CONNECT_TIMEOUT"),
        },
    }
    if environ.get("REDIS_PASSWORD"):
        sentinel_options["PASSWORD"] = environ["REDIS_PASSWORD"]
    if environ.get("REDIS_SENTINEL_PASSWORD"):
        sentinel_options["SENTINEL_KWARGS"]["password"] = environ["REDIS_SENTINEL_PASSWORD"]
    return f"redis://{master}/{db}", sentinel_options
