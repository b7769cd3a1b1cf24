"""py-spy against the gunicorn workers while a row runs (`python -m bench --profile ROW`).

Samples the workers' Python stacks (CPU time, idle waits left out) for the row's whole
run, and sums them up: the functions where the time is spent (self) and the calls that
hold it (inclusive), our code and the libraries it calls.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from bench import env

PY_SPY = shutil.which("py-spy") or str(env.ROOT / ".venv" / "bin" / "py-spy")
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^():]+)(?::\d+)?\)$")
TOP = 15


def _short(file: str) -> str:
    for marker in ("site-packages/", "lib/python3.11/", f"{env.ROOT}/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


class Profiler:
    """py-spy record on each pid, started now and lasting `seconds`."""

    def __init__(self, pids: list[int], name: str, seconds: float):
        self.name = name
        self.outputs: list[Path] = []
        self.processes: list[subprocess.Popen] = []
        if not Path(PY_SPY).exists():
            self.missing = (
                "py-spy is not installed: .venv/bin/pip install -r bench/requirements.txt"
            )
            return
        self.missing = ""
        for pid in pids:
            output = env.VAR / f"profile-{name}-{pid}.txt"
            self.outputs.append(output)
            self.processes.append(
                subprocess.Popen(
                    [
                        PY_SPY,
                        "record",
                        f"--pid={pid}",
                        f"--duration={max(1, round(seconds))}",
                        "--rate=250",
                        "--format=raw",
                        f"--output={output}",
                        "--nonblocking",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )

    def finish(self) -> dict:
        if self.missing:
            return {"error": self.missing}
        for process in self.processes:
            process.wait(timeout=120)
        self_time, inclusive, samples = Counter(), Counter(), 0
        for output in self.outputs:
            if not output.exists():
                continue
            for line in output.read_text().splitlines():
                stack, _, count = line.rpartition(" ")
                if not count.isdigit():
                    continue
                n = int(count)
                frames = [_frame(f) for f in stack.split(";")]
                frames = [f for f in frames if f]
                if not frames:
                    continue
                samples += n
                self_time[frames[-1]] += n
                for frame in set(frames):
                    inclusive[frame] += n
        summary = {
            "samples": samples,
            "self": [(f, n / samples) for f, n in self_time.most_common(TOP)] if samples else [],
            "inclusive": [
                (f, n / samples)
                for f, n in inclusive.most_common(TOP * 4)
                if not f.startswith(("gunicorn/", "<module>", "threading.py", "concurrent/"))
            ][:TOP]
            if samples
            else [],
        }
        text = [f"py-spy, row {self.name}: {samples} samples"]
        for title in ("self", "inclusive"):
            text.append(f"\n{title}:")
            text += [f"  {share:6.1%}  {frame}" for frame, share in summary[title]]
        (env.VAR / f"profile-{self.name}.txt").write_text("\n".join(text) + "\n")
        return summary


def _frame(raw: str) -> str:
    match = FRAME.match(raw.strip())
    if not match:
        return ""  # process and thread lines
    return f"{_short(match['file'])}:{match['function']}"
