from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The public routes this app caches and what invalidates them; the media
        # library's rendition task, queued when a picture is stored.
        from articles import cache, category_counts, tasks  # noqa: F401
