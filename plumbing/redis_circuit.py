"""A circuit breaker for the Redis cache client.

django-redis with IGNORE_EXCEPTIONS turns a Redis outage into cache misses, but each
call still waits for its socket timeout first: a hung Redis (a full network, a stopped
VM: connections accepted, nothing answered) cost a comment POST 2-4 s, one timeout per
throttle, flood gate and response-cache call. Here the first failure opens the circuit:
for REDIS_CIRCUIT_SECONDS every call fails at once (and django-redis answers it as a
miss), then one call is let through to see whether Redis is back. Redis on the same
network answers in well under a millisecond, so the socket timeouts in settings are
short too.
"""

from __future__ import annotations

import functools
import logging
import time

from django.conf import settings
from django_redis.client import DefaultClient, SentinelClient
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)

# The client methods RedisCache calls that talk to Redis.
_GUARDED = (
    "set", "add", "get", "get_many", "set_many", "delete", "delete_many", "delete_pattern",
    "clear", "incr", "decr", "incr_version", "has_key", "ttl", "pttl", "expire", "pexpire",
    "expire_at", "pexpire_at", "persist", "touch", "keys", "iter_keys", "lock",
)  # fmt: skip


class CircuitOpen(ConnectionError):
    """Redis failed a moment ago: not tried again until the circuit closes."""


class CircuitBreakerClient(DefaultClient):
    # The client whose methods the guarded ones call.
    _unguarded: type[DefaultClient] = DefaultClient

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._open_until = 0.0

    def _circuit_seconds(self) -> float:
        return float(getattr(settings, "REDIS_CIRCUIT_SECONDS", 10))

    def _call(self, name: str, *args, **kwargs):
        if time.monotonic() < self._open_until:
            raise ConnectionInterrupted(connection=None) from CircuitOpen(name)
        try:
            return getattr(self._unguarded, name)(self, *args, **kwargs)
        except ConnectionInterrupted as error:
            was_closed = self._open_until == 0.0
            self._open_until = time.monotonic() + self._circuit_seconds()
            if was_closed:
                logger.warning(
                    "Redis unavailable (%s): cache calls skipped for %g s",
                    error,
                    self._circuit_seconds(),
                )
            raise
        else:
            if self._open_until:
                logger.warning("Redis answers again: cache calls resume")
                self._open_until = 0.0


def _guarded(name: str):
    @functools.wraps(getattr(DefaultClient, name))
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    return method


for _name in _GUARDED:
    setattr(CircuitBreakerClient, _name, _guarded(_name))


class SentinelCircuitBreakerClient(CircuitBreakerClient, SentinelClient):
    """django-redis's SentinelClient (the master found through Sentinel, again after a
    failover) behind the same circuit breaker (docs/deployment.md).

    Every call goes to the master, reads too: SentinelClient would send reads to a
    replica, and a replica lags. A generation token replaced on the master but read old
    from a replica would serve a stale response, and a throttle or flood-gate read there
    would miss the latest writes. The cache's reads are as cheap as its writes, so the
    replicas stay standbys for failover.
    """

    _unguarded = SentinelClient

    def get_next_client_index(self, write: bool = True, tried: list[int] | None = None) -> int:
        return 0
