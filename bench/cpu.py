"""Where the machine's CPU went during a row, by process group (from /proc).

A row's req/s on this one machine is bounded by the CPU that every process of the request
path spends on it: the app's workers, PostgreSQL's backends, Redis, and wrk itself. The
meter reads each process's user + system time before and after the row, and the whole
machine's busy time from /proc/stat, so the report can say how many CPU milliseconds one
request costs each part, and what rate the machine's cores allow at that cost.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
# Process names (/proc/PID/comm) of the shared services and the load generator.
GROUPS = {"postgres": "PostgreSQL", "redis-server": "Redis"}


def _process_groups() -> tuple[str, ...]:
    """The groups read per process: the app's workers and the named services."""
    return ("app", *GROUPS.values())


def _process_ticks(pid: int) -> tuple[str, int] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The name is in parentheses and may hold spaces; the fields after it are fixed.
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    return name, int(fields[11]) + int(fields[12])  # utime + stime


def _machine_busy_ticks() -> int:
    # The first line of /proc/stat: cpu user nice system idle iowait irq softirq steal ...
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle


def snapshot(app_pids: list[int]) -> dict:
    """CPU ticks so far of each process of a group ({group: {pid: ticks}}): the app's
    workers (by pid) and the named services (every process of that name); and, as plain
    numbers, wrk's and the machine's total busy time. wrk has ended by the time the row
    is read again: its time is this harness's children's, which the kernel adds up when
    a child is waited for (only wrk ends during a row)."""
    groups: dict[str, dict[int, int]] = {name: {} for name in _process_groups()}
    app = set(app_pids)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        read = _process_ticks(pid)
        if read is None:
            continue
        name, ticks = read
        if pid in app:
            groups["app"][pid] = ticks
        elif name in GROUPS:
            groups[GROUPS[name]][pid] = ticks
    children = os.times()
    return {
        **groups,
        "wrk": round((children.children_user + children.children_system) * TICKS),
        "machine": _machine_busy_ticks(),
    }


class Meter:
    """The row's CPU by group, read from /proc before the row, after it, and every
    `interval` seconds between, on a thread: a process that ends during the row keeps
    the ticks it was last seen with. Read only before and after, the app's database
    connections, closed after DATABASE_CONN_MAX_AGE and opened again mid-row, took
    their PostgreSQL time with them into "other" (2 ms a request of the search row)."""

    def __init__(self, app_pids: list[int], interval: float = 0.5) -> None:
        self.app_pids, self.interval = app_pids, interval
        self.before = snapshot(app_pids)
        self.seen = {group: dict(self.before[group]) for group in _process_groups()}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.wait(self.interval):
            self._merge(snapshot(self.app_pids))

    def _merge(self, reading: dict) -> None:
        for group in _process_groups():
            self.seen[group].update(reading[group])

    def per_request(self, requests: int) -> dict:
        """Stop polling; `per_request` of the row, ended processes included."""
        self._stop.set()
        self._thread.join()
        after = snapshot(self.app_pids)
        self._merge(after)
        return per_request(self.before, {**after, **self.seen}, requests)


def _spent(before, after) -> int:
    """Ticks spent between two readings: per process, those in the second reading (a
    process started during the row counts whole; one that ended is missed, and left in
    "other", unless Meter saw it)."""
    if isinstance(after, int):
        return after - before
    return sum(ticks - before.get(pid, 0) for pid, ticks in after.items())


def per_request(before: dict[str, int], after: dict[str, int], requests: int) -> dict:
    """CPU milliseconds per request by group, "other" for the rest of the machine, and
    the rate the machine's cores would allow at that total cost."""
    if requests <= 0:
        return {}
    ms = {
        group: _spent(before[group], after[group]) * 1000 / TICKS / requests
        for group in after
        if group in before
    }
    named = sum(value for group, value in ms.items() if group != "machine")
    ms["other"] = max(ms["machine"] - named, 0.0)
    cores = os.cpu_count() or 1
    ms["ceiling_per_s"] = cores * 1000 / ms["machine"] if ms["machine"] else 0.0
    return {group: round(value, 3) for group, value in ms.items()}
