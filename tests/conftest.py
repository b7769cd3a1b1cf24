import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import StaffUserFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs ~0.3 s per user and login; tests need no such cost.
    # Logins still check the password (the hash is MD5's): tests of the login form and its
    # lockout work the same. Servers started as subprocesses keep the real hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_shared_cache_unless_asked(settings):
    # The policy and sanctions flags are cached only in a shared cache (plumbing/
    # shared_cache.py): off in every test, so query counts are the same on SQLite with
    # local memory and in CI's Redis run; the tests of that cache turn it on.
    settings.SHARED_CACHE = False


@pytest.fixture
def shared_cache_on(settings):
    """The default cache (local memory here, one process) treated as shared."""
    settings.SHARED_CACHE = True


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


@pytest.fixture(autouse=True, scope="session")
def _the_test_client_is_one_process():
    """Django's test client says `wsgi.multiprocess: True` in every request, although it
    runs in this one process. The response cache believes it (with a process-local cache
    it would switch itself off: plumbing/response_cache/store.py), so the client says
    what is true; a test may still say otherwise in a request's or a client's environ."""
    from django.test.client import RequestFactory

    original = RequestFactory._base_environ

    def base_environ(self, **request):
        environ = original(self, **request)
        if "wsgi.multiprocess" not in request and "wsgi.multiprocess" not in self.defaults:
            environ["wsgi.multiprocess"] = False
        return environ

    RequestFactory._base_environ = base_environ
    yield
    RequestFactory._base_environ = original


@pytest.fixture
def response_cache_on(settings, monkeypatch):
    """The public response cache switched on and not paused by an earlier test's
    outage, whatever the environment says."""
    from plumbing.response_cache import store

    settings.API_RESPONSE_CACHE = True
    monkeypatch.setattr(store, "_paused_until", 0.0)
