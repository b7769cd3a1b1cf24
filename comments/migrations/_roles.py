"""What the role migrations share; not a migration itself (Django's migration loader
skips modules whose name starts with "_").

A role is an auth Group; what it may do is a mapping {group name: [(app label,
codename), ...]}. `RoleGrant(mapping)` is the operation: forward it creates the
permissions it names (post_migrate, which normally creates them, has not run yet on a
fresh database), creates the groups if missing and adds the permissions; backward it
takes those permissions away again. A later migration that gives a role more, e.g. the
articles app's images to editors, declares only what it adds:

    from comments.migrations._roles import RoleGrant

    IMAGES = {"Editor": [("articles", f"{a}_image") for a in ("add", "change", "delete", "view")]}

    class Migration(migrations.Migration):
        dependencies = [("articles", "0010_image"), ("comments", "0008_role_permissions")]
        operations = [RoleGrant(IMAGES)]

and adds the pairs to the expected sets in tests/test_roles.py.
"""

from collections.abc import Iterable, Mapping

from django.contrib.auth.management import create_permissions
from django.db import migrations

Roles = Mapping[str, Iterable[tuple[str, str]]]


def create_app_permissions(apps, app_labels: Iterable[str]) -> None:
    """The permissions of these apps' models, as post_migrate would create them."""
    for app_label in set(app_labels):
        app_config = apps.get_app_config(app_label)
        # create_permissions skips an app without a models module; the migration
        # state's app configs have none, though their models are all there.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module


def _permissions(apps, pairs: Iterable[tuple[str, str]]) -> list:
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in pairs
    ]


def grant(apps, roles: Roles) -> None:
    create_app_permissions(apps, (label for pairs in roles.values() for label, _ in pairs))
    Group = apps.get_model("auth", "Group")
    for name, pairs in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, pairs))


def revoke(apps, roles: Roles) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, pairs in roles.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for app_label, codename in pairs:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )


class RoleGrant(migrations.RunPython):
    """Give roles these permissions (and take them away when migrating back)."""

    def __init__(self, roles: Roles):
        self.roles = {name: list(pairs) for name, pairs in roles.items()}
        super().__init__(self._forward, self._backward)

    def _forward(self, apps, schema_editor):
        grant(apps, self.roles)

    def _backward(self, apps, schema_editor):
        revoke(apps, self.roles)

    def describe(self):
        return f"Grant permissions to {', '.join(self.roles)}"
