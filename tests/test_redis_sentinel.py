"""Redis Sentinel (docs/deployment.md): the CACHES setting built from REDIS_SENTINELS
and friends, and the Django cache working through a real Sentinel, before and after a
failover.

The Sentinel tests start their own redis-server processes on free ports (a master, a
replica, a Sentinel monitoring them: nothing on the machine's own Redis is reconfigured)
and are skipped when redis-server is not installed.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

from cms.caches import cache_settings, redis_cache_options, sentinel_addresses
from plumbing.redis_circuit import SentinelCircuitBreakerClient
from tests.security.helpers import PROJECT_ROOT, free_port, production_env

REDIS_SERVER = shutil.which("redis-server")


# --- the settings, from the environment ---------------------------------------------------


def test_sentinel_variables_build_django_redis_sentinel_settings():
    options = redis_cache_options()
    env = {
        "REDIS_SENTINELS": "10.0.0.1:26379, 10.0.0.2:26380,sentinel-3",
        "REDIS_SENTINEL_MASTER": "mymaster",
        "REDIS_SENTINEL_DB": "4",
        "REDIS_PASSWORD": "data-secret",
        "REDIS_SENTINEL_PASSWORD": "sentinel-secret",
        "CACHE_KEY_PREFIX": "site",
    }

    default = cache_settings("", options, env)["default"]

    assert default["BACKEND"] == "django_redis.cache.RedisCache"
    assert default["LOCATION"] == "redis://mymaster/4"
    assert default["KEY_PREFIX"] == "site"
    built = default["OPTIONS"]
    assert built["CLIENT_CLASS"] == "plumbing.redis_circuit.SentinelCircuitBreakerClient"
    assert built["CONNECTION_FACTORY"] == "django_redis.pool.SentinelConnectionFactory"
    assert built["SENTINELS"] == [("10.0.0.1", 26379), ("10.0.0.2", 26380), ("sentinel-3", 26379)]
    assert built["PASSWORD"] == "data-secret"
    assert built["SENTINEL_KWARGS"]["password"] == "sentinel-secret"
    # The plain-Redis options carry over: short timeouts, a failing cache is a miss.
    assert built["IGNORE_EXCEPTIONS"] is True
    assert built["SOCKET_TIMEOUT"] == options["SOCKET_TIMEOUT"]
    assert built["SENTINEL_KWARGS"]["socket_timeout"] == options["SOCKET_TIMEOUT"]
    assert options["CLIENT_CLASS"] == "plumbing.redis_circuit.CircuitBreakerClient"  # untouched


def test_without_sentinels_redis_url_or_local_memory_as_before():
    options = redis_cache_options()
    assert cache_settings("redis://cache:6379/2", options, {})["default"]["LOCATION"] == (
        "redis://cache:6379/2"
    )
    assert cache_settings("redis://cache:6379/2", options, {})["default"]["OPTIONS"] is options
    assert cache_settings("", options, {})["default"]["BACKEND"].endswith("LocMemCache")


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"REDIS_SENTINELS": "10.0.0.1:26379"}, "REDIS_SENTINEL_MASTER"),
        ({"REDIS_SENTINELS": "10.0.0.1:port", "REDIS_SENTINEL_MASTER": "m"}, "REDIS_SENTINELS"),
        ({"REDIS_SENTINELS": ":26379", "REDIS_SENTINEL_MASTER": "m"}, "REDIS_SENTINELS"),
        (
            {"REDIS_SENTINELS": "s:1", "REDIS_SENTINEL_MASTER": "m", "REDIS_SENTINEL_DB": "x"},
            "REDIS_SENTINEL_DB",
        ),
    ],
)
def test_bad_sentinel_variables_refuse_to_start(env, complaint):
    with pytest.raises(ImproperlyConfigured, match=complaint):
        cache_settings("", redis_cache_options(), env)


def test_redis_url_and_sentinels_together_refuse_to_start():
    env = {"REDIS_SENTINELS": "s:26379", "REDIS_SENTINEL_MASTER": "m"}
    with pytest.raises(ImproperlyConfigured, match="not both"):
        cache_settings("redis://cache:6379/0", redis_cache_options(), env)


def test_sentinel_addresses_take_ipv6_and_the_default_port():
    assert sentinel_addresses("[::1]:26390,,host") == [("::1", 26390), ("host", 26379)]


# --- a real Sentinel ----------------------------------------------------------------------


def _start(args: list[str], port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [REDIS_SERVER, *args], stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(redis.RedisError):
            if redis.Redis(port=port, socket_timeout=0.5).ping():
                return process
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"redis-server {args} did not start:\n{log.read_text()[-2000:]}")


@pytest.fixture
def sentinel_setup(tmp_path):
    """A master, its replica and one Sentinel, each on a free port; yields their ports."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    master, replica, sentinel = free_port(), free_port(), free_port()
    # A name of its own: django-redis keeps its pools per process, by LOCATION.
    name = f"cms-test-{secrets.token_hex(4)}"
    common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    conf = tmp_path / "sentinel.conf"  # Sentinel rewrites its file: a writable copy
    conf.write_text(
        f"port {sentinel}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor {name} 127.0.0.1 {master} 1\n"
        f"sentinel down-after-milliseconds {name} 1000\n"
        f"sentinel failover-timeout {name} 5000\n"
    )
    processes = []
    try:
        processes.append(_start(["--port", str(master), *common], master, tmp_path / "m.log"))
        processes.append(
            _start(
                ["--port", str(replica), "--replicaof", "127.0.0.1", str(master), *common],
                replica,
                tmp_path / "r.log",
            )
        )
        processes.append(_start([str(conf), "--sentinel"], sentinel, tmp_path / "s.log"))
        ask = redis.Redis(port=sentinel, decode_responses=True)
        _wait(lambda: _settled(ask.sentinel_master(name)), "the Sentinel to see both")
        yield {
            "name": name,
            "master": master,
            "replica": replica,
            "sentinel": sentinel,
            "master_process": processes[0],
        }
    finally:
        for process in reversed(processes):
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
            if process.poll() is None:
                process.kill()


@pytest.fixture
def sentinel_cache(settings, sentinel_setup):
    """The `sentinel` cache, configured as REDIS_SENTINELS and REDIS_SENTINEL_MASTER say."""
    env = {
        "REDIS_SENTINELS": f"127.0.0.1:{sentinel_setup['sentinel']}",
        "REDIS_SENTINEL_MASTER": sentinel_setup["name"],
        "REDIS_SENTINEL_DB": "3",
    }
    built = cache_settings("", redis_cache_options(), env)["default"]
    settings.CACHES = {**settings.CACHES, "sentinel": built}
    settings.REDIS_CIRCUIT_SECONDS = 30
    yield caches["sentinel"]
    caches["sentinel"].close()


def test_the_cache_reads_and_writes_the_master_the_sentinel_names(sentinel_cache, sentinel_setup):
    assert isinstance(sentinel_cache.client, SentinelCircuitBreakerClient)

    sentinel_cache.set("greeting", {"hello": "nodes"}, 60)
    assert sentinel_cache.add("gate", 1, 60) is True
    assert sentinel_cache.add("gate", 1, 60) is False  # the flood gate's atomic add
    sentinel_cache.set("count", 1, 60)
    assert sentinel_cache.incr("count") == 2  # what throttles and generations need

    assert sentinel_cache.get("greeting") == {"hello": "nodes"}
    # The entries are on the master itself, in the configured database.
    on_master = redis.Redis(port=sentinel_setup["master"], db=3)
    assert on_master.exists(sentinel_cache.make_key("greeting"))
    assert int(on_master.get(sentinel_cache.make_key("count"))) == 2
    # Reads went to the master too: no connection of ours (database 3) on the replica,
    # where django-redis's SentinelClient would have sent them.
    on_replica = redis.Redis(port=sentinel_setup["replica"]).client_list()
    assert [c for c in on_replica if c["db"] == "3"] == []


def test_after_a_failover_the_cache_follows_the_new_master(
    sentinel_cache, sentinel_setup, settings
):
    settings.REDIS_CIRCUIT_SECONDS = 0.2
    sentinel_cache.set("before", "kept", 300)
    _wait(
        lambda: redis.Redis(port=sentinel_setup["replica"], db=3).get(
            sentinel_cache.make_key("before")
        ),
        "the replica to copy the entry",
    )

    sentinel_setup["master_process"].kill()  # the master's machine is gone
    ask = redis.Redis(port=sentinel_setup["sentinel"], decode_responses=True)
    _wait(
        lambda: (
            int(ask.sentinel_get_master_addr_by_name(sentinel_setup["name"])[1])
            == sentinel_setup["replica"]
        ),
        "the Sentinel to promote the replica",
    )
    # Calls fail while the old master is gone (a miss each, the circuit opening), and
    # succeed again once the client has asked the Sentinel where the master is now.
    _wait(lambda: _writes(sentinel_cache), "the cache to write to the new master")

    new_master = redis.Redis(port=sentinel_setup["replica"], db=3)
    assert new_master.get(sentinel_cache.make_key("after")) is not None
    assert sentinel_cache.get("before") == "kept"


def test_a_master_the_sentinel_cannot_reach_is_a_miss_and_opens_the_circuit(
    sentinel_cache, sentinel_setup, caplog
):
    redis.Redis(port=sentinel_setup["sentinel"]).execute_command(
        "SENTINEL", "REMOVE", sentinel_setup["name"]
    )  # the Sentinel knows no such master now: no master to connect to
    caplog.set_level(logging.WARNING, logger="plumbing.redis_circuit")

    assert sentinel_cache.get("anything") is None  # a miss, not an exception
    started = time.monotonic()
    assert sentinel_cache.set("anything", 1) is None
    assert sentinel_cache.get("anything") is None

    assert time.monotonic() - started < 0.05  # no Sentinel asked again: the circuit is open
    warnings = [r for r in caplog.records if "Redis unavailable" in r.getMessage()]
    assert len(warnings) == 1


def test_a_site_started_with_the_sentinel_variables_uses_the_master(sentinel_setup, tmp_path):
    # The variables as an operator sets them, read by cms/settings.py in a process of its own.
    env = production_env(
        tmp_path,
        REDIS_SENTINELS=f"127.0.0.1:{sentinel_setup['sentinel']}",
        REDIS_SENTINEL_MASTER=sentinel_setup["name"],
        REDIS_SENTINEL_DB="5",
        CACHE_KEY_PREFIX="site",
    )
    script = (
        "from django.core.cache import cache; cache.set('from-the-site', 'yes', 60); "
        "print(type(cache.client).__name__, cache.get('from-the-site'))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["SentinelCircuitBreakerClient", "yes"]
    assert redis.Redis(port=sentinel_setup["master"], db=5).get("site:1:from-the-site")


def _settled(state: dict) -> bool:
    """The Sentinel has checked the master and found its replica."""
    return state["is_master"] and not state["is_disconnected"] and state["num-slaves"] >= 1


def _writes(cache) -> bool:
    return cache.set("after", "written", 300) is True and cache.get("after") == "written"


def _wait(condition, what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(redis.RedisError):
            if condition():
                return
        time.sleep(0.1)
    pytest.fail(f"waited {seconds} s for {what}")
