"""The project's settings, plus the bare-Django yardstick's URL (bench/urls.py)."""

from cms.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
