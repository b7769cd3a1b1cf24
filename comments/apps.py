from django.apps import AppConfig
from django.db.models.signals import post_migrate

from plumbing.sqlite import analyze_after_migrate


class CommentsConfig(AppConfig):
    name = "comments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The public routes this app caches and what invalidates them; forgetting "no
        # sanction anywhere" when a sanction is written; the staff search's index made
        # whole after migrations (its post_migrate receiver).
        from comments import cache, sanction_presence, search_index  # noqa: F401

        # SQLite's planner statistics, refreshed once all migrations ran (the last of
        # the project's apps to migrate).
        post_migrate.connect(
            analyze_after_migrate, sender=self, dispatch_uid="plumbing.sqlite.analyze"
        )
