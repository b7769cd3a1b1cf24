"""Production settings refuse to start unsafe and pass `check --deploy` when configured."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    """The test process's environment without any DJANGO_* variable, DEBUG off."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="0", DJANGO_VAR_DIR=str(tmp_path))
    return env


def test_production_without_secret_key_refuses_to_start(production_env):
    production_env["DJANGO_ALLOWED_HOSTS"] = "example.com"
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_with_a_weak_secret_key_refuses_to_start(production_env):
    production_env.update(DJANGO_SECRET_KEY="short", DJANGO_ALLOWED_HOSTS="example.com")
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start(production_env):
    production_env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(45)
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_settings_pass_the_deploy_check(production_env):
    key = secrets.token_urlsafe(45)
    assert len(key) == 60
    production_env.update(DJANGO_SECRET_KEY=key, DJANGO_ALLOWED_HOSTS="example.com")
    # A cache shared by every process (plumbing.W001 otherwise); never connected to here.
    production_env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_generates_a_secret_key_and_stores_it_for_the_next_start(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="1", DJANGO_VAR_DIR=str(tmp_path))

    result = manage("diffsettings", "--all", env=env)

    assert result.returncode == 0, result.stderr
    key = (tmp_path / "dev_secret_key").read_text().strip()
    assert len(key) >= 50
    assert f"SECRET_KEY = '{key}'" in result.stdout
