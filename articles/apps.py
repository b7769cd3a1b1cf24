from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The public routes this app caches and what invalidates them; the media
        # library's rendition task, queued when a picture is stored; the search index
        # kept with every write, and made whole after migrations.
        from articles import cache, category_counts, search_index, tasks  # noqa: F401

        post_migrate.connect(
            search_index.after_migrate, sender=self, dispatch_uid="articles.search_index"
        )
