"""Create the single moderation-policy row, so reading it never writes (a GET of an
article must not be the request that creates the site's settings)."""

from django.conf import settings
from django.db import migrations


def create_policy(apps, schema_editor):
    ModerationPolicy = apps.get_model("comments", "ModerationPolicy")
    # Only the fields this migration's model has; later fields take their column defaults.
    known = {field.name for field in ModerationPolicy._meta.get_fields()}
    defaults = {k: v for k, v in settings.COMMENTS_DEFAULTS.items() if k in known}
    ModerationPolicy.objects.get_or_create(pk=1, defaults=defaults)


class Migration(migrations.Migration):
    dependencies = [("comments", "0001_initial")]

    operations = [migrations.RunPython(create_policy, migrations.RunPython.noop)]
