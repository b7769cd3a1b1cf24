"""Create the single moderation-policy row, so reading it never writes (a GET of an
article must not be the request that creates the site's settings)."""

from django.conf import settings
from django.db import migrations


def create_policy(apps, schema_editor):
    ModerationPolicy = apps.get_model("comments", "ModerationPolicy")
    ModerationPolicy.objects.get_or_create(pk=1, defaults=dict(settings.COMMENTS_DEFAULTS))


class Migration(migrations.Migration):
    dependencies = [("comments", "0001_initial")]

    operations = [migrations.RunPython(create_policy, migrations.RunPython.noop)]
