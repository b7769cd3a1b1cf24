"""The benchmark's CPU table keeps the time of a process that ends during a row."""

import subprocess
import sys
import time

import pytest

from bench import cpu

# A child that names itself (/proc/self/comm, the name the meter groups processes by),
# spends CPU, then waits to be told to end: a database connection that works, then
# closes mid-row. Its own name and group, so nothing else running (the suite's Redis and
# PostgreSQL) counts.
NAME = "meter-test"
BUSY_THEN_EXIT = f"""
import sys, time
with open("/proc/self/comm", "w") as comm:
    comm.write("{NAME}")
end = time.process_time() + 0.4
while time.process_time() < end:
    pass
print("done", flush=True)
sys.stdin.readline()
"""

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc, as the benchmark does"
)


def _busy_child_that_ends():
    child = subprocess.Popen(
        [sys.executable, "-c", BUSY_THEN_EXIT], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert child.stdout.readline().strip() == b"done"
    time.sleep(0.5)  # seen alive, its work done, by the meter's polls
    child.communicate(b"\n", timeout=10)


def test_a_process_that_ends_mid_row_keeps_its_time(monkeypatch):
    monkeypatch.setattr(cpu, "GROUPS", {NAME: "Test"})
    before = cpu.snapshot([])
    meter = cpu.Meter([], interval=0.05)

    _busy_child_that_ends()

    polled = meter.per_request(1)
    unpolled = cpu.per_request(before, cpu.snapshot([]), 1)
    # 400 ms of CPU in the child: the polled meter counts it in its group; read only
    # before and after, the group had nothing (it was left in "other").
    assert polled["Test"] >= 300
    assert unpolled["Test"] == 0
