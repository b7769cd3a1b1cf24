"""The CACHES setting, from the environment (a settings helper, like cms/replicas.py):
Redis when REDIS_URL is set, local memory otherwise (docs/deployment.md)."""

import os

from cms.env import env_float


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


def cache_settings(redis_url: str, options: dict) -> dict:
    if redis_url:
        return {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": redis_url,
                "OPTIONS": options,
                "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "cms"),
            }
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "cms-default",
        }
    }
