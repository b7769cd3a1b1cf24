import pytest
from django.test import Client


@pytest.fixture
def admin_client(staff_user) -> Client:
    """A browser signed in to the admin as a staff member (not a superuser: unlike
    pytest-django's fixture of the same name, which this one replaces here)."""
    client = Client()
    client.force_login(staff_user)
    return client
