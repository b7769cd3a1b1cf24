from pathlib import Path

import pytest

from tests.security.helpers import manage, production_env


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory) -> Path:
    """A SQLite file migrated and loaded with the demo data once per test module, by the
    real commands; each test serves its own copy."""
    var_dir = tmp_path_factory.mktemp("demo-db")
    env = production_env(var_dir)
    manage("migrate", "--noinput", env=env)
    manage("load_demo_data", env=env)
    return var_dir / "db.sqlite3"
