"""The comment POST of two checkouts side by side, on the same data in one run:

    .venv/bin/python -m bench.ab_post OLD_CHECKOUT NEW_CHECKOUT [SECONDS] [ROUNDS]

Each checkout (a directory with its own .venv, or a symlink to this one) is served by
gunicorn (2 sync workers, the bench's settings) against the `bench` dataset that
`make bench` seeded (its migrations as the newer checkout left them), and loaded in
alternating rounds with bench/wrk.lua's post mode (16 connections), after one warm-up
round each. Prints accepted/s and the workers' CPU per accepted POST (from /proc), per
round and their medians. Not part of `make bench`: a tool for "did this change help?".
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import urllib.request

from bench import env, load
from bench.serve import free_port

DATABASE = "bench"
TICK = os.sysconf("SC_CLK_TCK")


def _workers(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICK


def main(argv: list[str]) -> None:
    old, new = argv[0], argv[1]
    seconds = float(argv[2]) if len(argv) > 2 else 4
    rounds = int(argv[3]) if len(argv) > 3 else 5
    paths = env.VAR / f"{DATABASE}-post-paths.txt"  # written by `make bench`'s probe
    environ = env.child_env(DATABASE)
    servers = {}
    for name, root in (("old", old), ("new", new)):
        port = free_port()
        command = [f"{root}/.venv/bin/gunicorn", "cms.wsgi:application"]
        command += [f"--bind={env.HOST}:{port}", "--workers=2", "--worker-class=sync"]
        command += ["--log-level=warning", "--timeout=60", "--no-control-socket"]
        servers[name] = (subprocess.Popen(command, env=environ, cwd=root), port)
    try:
        time.sleep(6)
        for _, port in servers.values():
            urllib.request.urlopen(f"http://{env.HOST}:{port}/healthz", timeout=30)
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in servers}
        for round_number in range(rounds + 1):
            order = list(servers.items())
            for name, (process, port) in order if round_number % 2 == 0 else order[::-1]:
                workers = _workers(process.pid)
                before = _cpu_seconds(workers)
                measured = load.run_wrk(
                    f"http://{env.HOST}:{port}/",
                    seconds=seconds,
                    connections=16,
                    threads=2,
                    mode="post",
                    paths_file=paths,
                    token=f"ab{name}{round_number}{int(time.time())}",
                )
                used = _cpu_seconds(workers) - before
                accepted = measured.statuses.get(201, 0) + measured.statuses.get(202, 0)
                if round_number:  # the first round warms both up
                    rate = accepted / measured.seconds
                    results[name].append((rate, used / max(accepted, 1) * 1000))
        for name, runs in results.items():
            rates, cpu = [r for r, _ in runs], [c for _, c in runs]
            print(
                f"{name}: accepted/s {[round(r) for r in rates]} median "
                f"{statistics.median(rates):.0f}; app CPU ms per POST "
                f"{[round(c, 2) for c in cpu]} median {statistics.median(cpu):.2f}"
            )
    finally:
        for process, _ in servers.values():
            process.terminate()


if __name__ == "__main__":
    main(sys.argv[1:])
