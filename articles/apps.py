from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Response cache invalidation on saves and deletes (articles/signals.py).
        from articles import signals  # noqa: F401
