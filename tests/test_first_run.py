"""First run as a newcomer meets it: the development .env that `make run` writes and the
settings read (real environment variables win, pytest and production never read it),
and the admin banner naming the host and port really served."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from articles.management.commands.ensure_admin import admin_url
from cms.env_file import read_env_file
from tests.factories import StaffUserFactory

BASE_DIR = Path(settings.BASE_DIR)

# --- the env file's reader ------------------------------------------------------------------


def test_the_env_file_reader_reads_names_and_values(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# written by make run\n"
        "\n"
        "DJANGO_DEBUG=1\n"
        "export SITE_NAME='Daily Planet'\n"
        'SITE_URL = "https://news.example"\n'
        "DJANGO_ALLOWED_HOSTS=a.example,b.example\n"
        "EMPTY=\n"
        "DATABASE_URL=postgres://u:p@h/db?sslmode=require#x\n"
    )

    assert read_env_file(env_file) == {
        "DJANGO_DEBUG": "1",
        "SITE_NAME": "Daily Planet",
        "SITE_URL": "https://news.example",
        "DJANGO_ALLOWED_HOSTS": "a.example,b.example",
        "EMPTY": "",
        "DATABASE_URL": "postgres://u:p@h/db?sslmode=require#x",
    }


@pytest.mark.parametrize("line", ["DJANGO_DEBUG", "=1", "NOT A NAME=1", "1X=2"])
def test_the_env_file_reader_refuses_a_line_it_cannot_read(tmp_path, line):
    env_file = tmp_path / ".env"
    env_file.write_text(f"OK=1\n{line}\n")

    with pytest.raises(ImproperlyConfigured, match="line 2"):
        read_env_file(env_file)


def test_the_suite_does_not_read_the_env_file():
    # pytest sets PYTEST_VERSION before the settings are imported.
    assert "PYTEST_VERSION" in os.environ
    assert settings.ENV_FILE == BASE_DIR / ".env"


# --- the settings with and without the file -----------------------------------------------

PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.SITE_NAME, sep='|')"
)


def run_settings(tmp_path, env_file_text: str | None, args=("-c", PRINT_SETTINGS), **env):
    """Python with the project's settings, as a developer's shell runs it: no pytest,
    no DJANGO_DEBUG unless given; the env file at DJANGO_ENV_FILE (absent when None)."""
    env_file = tmp_path / "dev.env"
    if env_file_text is not None:
        env_file.write_text(env_file_text)
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTEST_VERSION", "DJANGO_DEBUG", "SITE_NAME", "DJANGO_SECRET_KEY"}
        and not name.startswith("PYTEST_")
    }
    environ |= {
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DJANGO_ENV_FILE": str(env_file),
        "DJANGO_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_the_settings_read_the_env_file(tmp_path):
    done = run_settings(tmp_path, "DJANGO_DEBUG=1\nSITE_NAME=From the file\n")

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True|From the file"


@pytest.mark.slow
def test_environment_variables_win_over_the_env_file(tmp_path):
    done = run_settings(
        tmp_path, "DJANGO_DEBUG=1\nSITE_NAME=From the file\n", SITE_NAME="From the shell"
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True|From the shell"


@pytest.mark.slow
def test_under_pytest_the_env_file_is_not_read(tmp_path):
    done = run_settings(tmp_path, "SITE_NAME=From the file\n", DJANGO_DEBUG="1", PYTEST_VERSION="9")

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True|Newsroom"


@pytest.mark.slow
def test_without_the_file_production_still_wants_a_secret_key(tmp_path):
    done = run_settings(tmp_path, None)

    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in done.stderr


@pytest.mark.slow
def test_manage_py_commands_work_in_a_checkout_with_the_env_file(tmp_path):
    done = run_settings(
        tmp_path,
        "DJANGO_DEBUG=1\n",
        args=("manage.py", "changepassword", "--help"),
    )

    assert done.returncode == 0, done.stderr
    assert "usage: manage.py changepassword" in done.stdout


# --- the admin banner -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_banner_names_the_host_and_port_served():
    out = StringIO()

    call_command("ensure_admin", host="127.0.0.1", port="8300", stdout=out)

    assert "URL:      http://127.0.0.1:8300/admin/" in out.getvalue()
    assert ":8000" not in out.getvalue()


@pytest.mark.django_db
def test_the_next_runs_still_name_the_admin_url():
    StaffUserFactory()
    out = StringIO()

    call_command("ensure_admin", host="localhost", port="8301", stdout=out)

    assert "http://localhost:8301/admin/" in out.getvalue()
    assert "password:" not in out.getvalue()


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8300/admin/"),
        ("0.0.0.0", "http://127.0.0.1:8300/admin/"),
        ("::", "http://[::1]:8300/admin/"),
        ("::1", "http://[::1]:8300/admin/"),
        ("[::1]", "http://[::1]:8300/admin/"),
        ("news.local", "http://news.local:8300/admin/"),
    ],
)
def test_the_admin_url_is_one_a_browser_here_opens(host, url):
    assert admin_url(host=host, port="8300") == url


def test_make_run_passes_its_host_and_port_to_the_banner():
    done = subprocess.run(
        ["make", "-n", "run", "HOST=0.0.0.0", "PORT=8300"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert "ensure_admin --host '0.0.0.0' --port '8300'" in done.stdout
    assert "runserver 0.0.0.0:8300" in done.stdout
