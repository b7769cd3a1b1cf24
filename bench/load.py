"""Load from a separate process: wrk (Debian's package), bounded in time, on 127.0.0.1."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")


@dataclass
class Measurement:
    """One wrk run: totals across its threads, latencies in milliseconds."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[int, int]
    socket_errors: dict[str, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def ok_rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def not_ok(self) -> int:
        return sum(self.statuses.values()) - self.ok

    @property
    def errors(self) -> int:
        return sum(self.socket_errors.values())


def wrk_version() -> str:
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).split("[")[0].strip()


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench-deps` installs it (apt-get install -y wrk)")


def run_wrk(
    url: str,
    *,
    seconds: float,
    connections: int,
    threads: int,
    mode: str = "get",
    paths_file: Path | None = None,
    token: str = "",
) -> Measurement:
    """Run wrk against `url` for `seconds` and return what it measured."""
    threads = max(1, min(threads, connections))
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        f"--script={WRK_SCRIPT}",
        url,
    ]
    wrk_env = dict(
        os.environ,
        BENCH_WRK_MODE=mode,
        BENCH_WRK_PATHS=str(paths_file or ""),
        BENCH_WRK_TOKEN=token,
        BENCH_WRK_IP_BASE=str(random.randrange(2**24)),
    )
    done = subprocess.run(
        command, env=wrk_env, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH-JSON ")), None)
    if done.returncode or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    data = json.loads(line.removeprefix("BENCH-JSON "))
    return Measurement(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        statuses={int(k): v for k, v in data["statuses"].items()},
        socket_errors={k: v for k, v in data["errors"].items() if v},
    )


def fetch(url: str, *, timeout: float = 30) -> tuple[int, bytes]:
    """One GET (warm-ups and checks): the status and the body."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our server
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
