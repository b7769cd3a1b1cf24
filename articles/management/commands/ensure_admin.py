"""Create a superuser with a generated password if no superuser exists, and print the
password once. Does nothing when one exists."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin account already exists; no password printed.")
            return
        password = secrets.token_urlsafe(18)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "\nAdmin account created (shown once, keep it now):\n"
                f"  URL:      http://127.0.0.1:8000/admin/\n"
                f"  username: {username}\n"
                f"  password: {password}\n"
            )
        )
