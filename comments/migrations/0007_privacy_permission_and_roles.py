"""A permission of its own for exporting or erasing a reader's data, and the two roles a
newsroom hands out: Editor and Moderator (docs/decisions.md, "Roles")."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# (app label, codename) pairs. Editors write and publish; they may read comments but not
# moderate them. Moderators work the queue, look commenters up, note and sanction them;
# they read articles (titles in the queue) but do not edit them, and neither role sees
# the moderation policy's settings (the site owner's), tokens, lockouts or task results.
ROLES = {
    "Editor": [
        *(
            ("articles", f"{action}_{model}")
            for model in ("article", "category", "tag", "author", "articleslugredirect")
            for action in ("add", "change", "delete", "view")
        ),
        ("articles", "view_historicalarticle"),
        ("comments", "view_comment"),
    ],
    "Moderator": [
        ("articles", "view_article"),
        ("articles", "view_category"),
        ("comments", "view_comment"),
        ("comments", "change_comment"),
        ("comments", "view_commentflag"),
        ("comments", "view_moderationaction"),
        ("comments", "view_commenter"),
        ("comments", "change_commenter"),
        ("comments", "view_commenternote"),
        ("comments", "add_commenternote"),
        ("comments", "view_commentersanction"),
        ("comments", "add_commentersanction"),
        ("comments", "change_commentersanction"),
        ("comments", "view_moderationpolicy"),
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate); the
    # groups need them now, on a fresh database too.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0006_newsroom_moderation"),
        ("articles", "0004_public_list_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="privacyrequest",
            options={
                "ordering": ["-created_at"],
                "permissions": [("run_privacy_request", "Can export or erase a reader's data")],
            },
        ),
        migrations.RunPython(create_roles, remove_roles),
    ]
