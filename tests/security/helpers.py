"""Real servers for the security tests: start the project in a subprocess with a
production environment, wait for it to listen, stop it; and HTTP against a real server
(a live_server thread or a subprocess) with urllib only, as a client outside sees it."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REQUEST_TIMEOUT = 10  # seconds


# --- a server in a subprocess ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    """This process's environment without the project's own variables, DEBUG off."""
    project_vars = ("DJANGO_", "COMMENTS_", "THROTTLE_", "GUNICORN_")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(project_vars)
        and key not in {"DATABASE_URL", "REDIS_URL", "TRUSTED_PROXY_COUNT", "TASKS_BACKEND"}
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(45),  # 60 characters
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_VAR_DIR=str(var_dir),
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> str:
    """Run a management command in a process of its own; its output (both streams)."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}"
    return result.stdout + result.stderr


def wait_listening(port: int, process: subprocess.Popen, log: Path, what: str) -> None:
    """Until something listens on 127.0.0.1:port; fails (with the log's tail) when the
    process exits first or 20 s pass."""
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            pytest.fail(f"{what} exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=0.5),
        ):
            return
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not listen within 20 s:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


# --- HTTP --------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""
    seconds: float = 0.0

    def json(self):
        return json.loads(self.text)

    @property
    def body(self):
        """The JSON body; the text itself when it is not JSON; None when it is empty."""
        if not self.text:
            return None
        try:
            return json.loads(self.text)
        except ValueError:
            return self.text

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


def fetch(
    method: str,
    url: str,
    payload=None,
    headers: dict[str, str] | None = None,
    *,
    timeout: float = REQUEST_TIMEOUT,
) -> Answer:
    """One request, a JSON payload if given; HTTP errors are answers too. Connection
    problems raise."""
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw, answer_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, answer_headers = error.code, error.read(), error.headers
    seconds = time.monotonic() - started
    return Answer(status, dict(answer_headers.items()), raw.decode(errors="replace"), seconds)
