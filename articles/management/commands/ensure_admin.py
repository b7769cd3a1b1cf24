"""Create a superuser with a generated password if no superuser exists, and print the
password once. Does nothing when one exists. Either way it prints the admin's URL on the
host and port the development server is about to serve (`make run` passes them)."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

# Addresses a server listens on but a browser cannot open: shown as the local host.
_EVERY_ADDRESS = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "[::]": "[::1]", "": "127.0.0.1"}  # noqa: S104


def admin_url(*, host: str, port: str) -> str:
    """The admin's address as a browser on this machine opens it."""
    host = _EVERY_ADDRESS.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{port}/admin/"


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--host", default="127.0.0.1", help="the server's host (HOST=)")
        parser.add_argument("--port", default="8000", help="the server's port (PORT=)")

    def handle(self, *args, username, host, port, **options):
        url = admin_url(host=host, port=port)
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                f"Admin: {url} (the account exists; no password printed. Forgot it? "
                f".venv/bin/python manage.py changepassword {username})"
            )
            return
        password = secrets.token_urlsafe(18)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "\nAdmin account created (shown once, keep it now):\n"
                f"  URL:      {url}\n"
                f"  username: {username}\n"
                f"  password: {password}\n"
            )
        )
