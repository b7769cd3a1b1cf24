import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import StaffUserFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters and cached responses live in the cache (Redis in CI's second run);
    # every test starts from an empty one.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def staff_user(db):
    return StaffUserFactory()


@pytest.fixture
def regular_user(db):
    return UserFactory()


@pytest.fixture
def staff_client(staff_user) -> APIClient:
    client = APIClient()
    client.force_login(staff_user)
    return client
