"""The two roles' permissions as one constant, and no role holds the site's machinery.

0007 created the Editor and Moderator groups; this states their permissions in full
(ROLE_PERMISSIONS, granted again: a database where one went missing gets it back) and
takes from both groups any permission on users, groups, API tokens, login lockouts or
task results, which stay the superusers' (plumbing/admin_machinery.py keeps those admin
pages to superusers whatever a staff account holds). Later migrations add to a role
with comments.migrations._roles.RoleGrant (docs/decisions.md, "Roles").
"""

from django.db import migrations

from comments.migrations._roles import grant

ARTICLE_MODELS = ("article", "category", "tag", "author", "articleslugredirect")

# (app label, codename) pairs. Editors write and publish: articles and what an article
# is filed under, its history and old slugs; they read comments but do not moderate.
# Moderators work the queue (view and change comments: approve, spam, remove), read the
# reports and the audit trail, look commenters up, note and sanction them, read the
# discussion settings (changing them is the site owner's call) and the articles the
# comments are on.
ROLE_PERMISSIONS = {
    "Editor": [
        *(
            ("articles", f"{action}_{model}")
            for model in ARTICLE_MODELS
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

# Superusers' only: who may do what, API tokens, django-axes' lockouts, task results.
MACHINERY_APPS = ("auth", "authtoken", "axes", "django_tasks_database")


def grant_roles_without_machinery(apps, schema_editor):
    grant(apps, ROLE_PERMISSIONS)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    machinery = Permission.objects.filter(content_type__app_label__in=MACHINERY_APPS)
    for group in Group.objects.filter(name__in=ROLE_PERMISSIONS):
        group.permissions.remove(*machinery)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0007_privacy_permission_and_roles"),
        ("articles", "0009_public_index_covers_category"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # Backward there is nothing to undo: every permission granted here 0007 granted
        # (its own backward removes the groups), and a machinery permission taken away
        # was never the role's to have.
        migrations.RunPython(grant_roles_without_machinery, migrations.RunPython.noop),
    ]
