"""Fixtures shared by the comments tests. A test module that needs another article or
policy defines its own fixture of the same name, which takes precedence."""

import time

import pytest

from comments.models import ModerationPolicy
from tests.comments.helpers import set_policy
from tests.factories import ArticleFactory


@pytest.fixture
def article():
    return ArticleFactory()


@pytest.fixture
def policy() -> ModerationPolicy:
    """The policy with flood checks off, so one test may post several comments."""
    return set_policy(flood_interval_seconds=0)


@pytest.fixture
def admin(client, staff_user):
    """The test client signed in to the admin as a staff member."""
    client.force_login(staff_user)
    return client


@pytest.fixture
def clock(monkeypatch):
    """Move the clock django.core.signing reads (time.time) forward by `seconds`."""
    real_time = time.time

    def move(seconds: float) -> None:
        monkeypatch.setattr("django.core.signing.time.time", lambda: real_time() + seconds)

    return move
