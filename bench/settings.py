"""The project's settings, plus the yardsticks' URLs (bench/urls.py)."""

from cms.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
