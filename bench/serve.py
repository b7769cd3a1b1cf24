"""gunicorn around the benchmark rows (2 workers), and its workers' memory."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

from bench import env
from bench.load import fetch

GUNICORN = env.ROOT / ".venv" / "bin" / "gunicorn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((env.HOST, 0))
        return sock.getsockname()[1]


def worker_class_args(worker_class: str) -> list[str]:
    """`sync` or `gthread:4` (threads per worker) as gunicorn flags."""
    name, _, threads = worker_class.partition(":")
    return ["--worker-class", name, "--threads", threads or "1"]


class Server:
    """`gunicorn APP` on 127.0.0.1, started on entry (and ready), stopped on exit."""

    def __init__(
        self,
        app: str,
        environ: dict[str, str],
        *,
        worker_class: str,
        workers: int = 2,
        ready_path: str = "/healthz",
        log: Path,
    ):
        self.app, self.environ, self.worker_class = app, environ, worker_class
        self.workers, self.ready_path, self.log = workers, ready_path, log
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, path: str = "/") -> str:
        return f"http://{env.HOST}:{self.port}{path}"

    def __enter__(self) -> Server:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        command = [
            str(GUNICORN),
            self.app,
            f"--bind={env.HOST}:{self.port}",
            f"--workers={self.workers}",
            *worker_class_args(self.worker_class),
            "--log-level=warning",
            f"--error-logfile={self.log}",
            "--timeout=60",
            "--no-control-socket",
        ]
        self.process = subprocess.Popen(command, env=self.environ, cwd=env.ROOT)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.app} exited:\n{self.log_tail()}")
            try:
                status, _ = fetch(self.url(self.ready_path), timeout=5)
                if status == 200 and len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.app} did not answer in {timeout} s:\n{self.log_tail()}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text().splitlines()[-lines:])
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def worker_memory(self) -> list[dict]:
        """Per worker: peak (VmHWM) and current (VmRSS) resident memory, in MB."""
        memory = []
        for pid in self.worker_pids():
            status = _proc_status(pid)
            if status:
                memory.append(
                    {
                        "pid": pid,
                        "peak_mb": status["VmHWM"] / 1024,
                        "rss_mb": status["VmRSS"] / 1024,
                    }
                )
        return memory


def _proc_status(pid: int) -> dict[str, int]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    values = {}
    for line in lines:
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = int(rest.split()[0])  # kB
    return values
