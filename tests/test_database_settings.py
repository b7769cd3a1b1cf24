"""PostgreSQL connections plan with the page costs of solid-state storage unless told
otherwise (DATABASE_RANDOM_PAGE_COST, docs/deployment.md); replicas plan as the primary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PRINT_OPTIONS = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({a: d.get('OPTIONS', {}).get('options') for a, d in "
    "settings.DATABASES.items()}))"
)


def settings_run(**variables: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    environ.update(DJANGO_SETTINGS_MODULE="cms.settings", DJANGO_DEBUG="1", **variables)
    return subprocess.run(
        [sys.executable, "-c", PRINT_OPTIONS], env=environ, cwd=ROOT, capture_output=True, text=True
    )


def database_options(**variables: str) -> dict:
    done = settings_run(**variables)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


PRIMARY = "postgres://cms@db.example:5432/cms"
REPLICA = "postgres://reader@replica.example:5432/cms"


def test_postgresql_plans_for_solid_state_storage_by_default():
    found = database_options(DATABASE_URL=PRIMARY, DATABASE_REPLICA_URLS=REPLICA)

    assert found == {
        "default": "-c random_page_cost=1.1",
        "replica_1": "-c random_page_cost=1.1",
    }


@pytest.mark.parametrize(("value", "expected"), [("4", "-c random_page_cost=4.0"), ("", None)])
def test_the_page_cost_is_the_site_owners(value, expected):
    found = database_options(DATABASE_URL=PRIMARY, DATABASE_RANDOM_PAGE_COST=value)

    assert found == {"default": expected}  # empty: the server's own setting


def test_a_page_cost_that_is_no_number_stops_the_start_with_its_name():
    done = settings_run(DATABASE_URL=PRIMARY, DATABASE_RANDOM_PAGE_COST="fast")

    assert done.returncode != 0
    assert "DATABASE_RANDOM_PAGE_COST must be a number, got 'fast'" in done.stderr


def test_sqlite_has_no_such_option():
    assert database_options() == {"default": None}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a live PostgreSQL connection")
def test_a_live_connection_plans_with_it():
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
