"""Editors manage the media library (the Editor role: comments/migrations/_roles.py)."""

from django.db import migrations

from comments.migrations._roles import RoleGrant

IMAGES = {"Editor": [("articles", f"{action}_image") for action in ("add", "change", "delete", "view")]}


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_media_library"),
        ("comments", "0008_role_permissions"),
    ]

    operations = [RoleGrant(IMAGES)]
