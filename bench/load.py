"""Load from a separate process: wrk (Debian's package), bounded in time, on 127.0.0.1.

Most rows run wrk with bench/wrk.lua, which counts the answers by status. Its
per-response callback costs wrk CPU (Lua, on the machine's two cores), so the two rows
whose ratio is about raw speed, the cached detail and the raw WSGI yardstick, run in
`plain` mode: no script, wrk's own report parsed (Requests/sec, --latency percentiles,
"Non-2xx or 3xx responses").
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
# In plain mode wrk counts answers with a status above 399 without saying which: they are
# counted under this status.
UNKNOWN_ERROR_STATUS = 0
TIME_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}  # to milliseconds


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
    """Run wrk against `url` for `seconds` and return what it measured. Modes: `get`
    (the one URL), `paths` and `post` (wrk.lua), `plain` (the one URL, no script)."""
    threads = max(1, min(threads, connections))
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
    ]
    if mode == "plain":
        command += ["--latency", url]
    else:
        command += [f"--script={WRK_SCRIPT}", url]
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
    if mode == "plain":
        if done.returncode or "Requests/sec:" not in done.stdout:
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
        return parse_plain(done.stdout)
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


def _milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
    return float(value) * TIME_UNITS[unit]


def parse_plain(output: str) -> Measurement:
    """wrk's own report (run with --latency, no script) as a Measurement. The answers
    below 400 are counted as 200 (the row's warm-up checked the status), those above
    under UNKNOWN_ERROR_STATUS."""

    def number(pattern: str, default: str | None = None) -> str:
        found = re.search(pattern, output, re.MULTILINE)
        if found is None:
            if default is None:
                raise RuntimeError(f"wrk's report has no {pattern!r}:\n{output}")
            return default
        return found[1]

    requests = int(number(r"^\s*(\d+) requests in "))
    per_second = float(number(r"^Requests/sec:\s*([\d.]+)"))
    not_ok = int(number(r"^\s*Non-2xx or 3xx responses:\s*(\d+)", "0"))
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    socket_errors = {}
    if errors:
        names = ("connect", "read", "write", "timeout")
        socket_errors = {k: int(v) for k, v in zip(names, errors.groups(), strict=True) if int(v)}
    statuses = {200: requests - not_ok}
    if not_ok:
        statuses[UNKNOWN_ERROR_STATUS] = not_ok
    return Measurement(
        requests=requests,
        # wrk's Requests/sec is requests over its measured run time: rps gives it back.
        seconds=requests / per_second if per_second else 0.0,
        p50_ms=_milliseconds(number(r"^\s*50%\s+(\S+)")),
        p90_ms=_milliseconds(number(r"^\s*90%\s+(\S+)")),
        p99_ms=_milliseconds(number(r"^\s*99%\s+(\S+)")),
        max_ms=_milliseconds(number(r"^\s*Latency\s+\S+\s+\S+\s+(\S+)")),
        statuses={k: v for k, v in statuses.items() if v},
        socket_errors=socket_errors,
    )


def fetch(url: str, *, timeout: float = 30) -> tuple[int, bytes]:
    """One GET (warm-ups and checks): the status and the body."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our server
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
