from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The public routes this app caches and what invalidates them.
        from comments import cache  # noqa: F401
