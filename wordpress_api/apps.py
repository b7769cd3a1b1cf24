from django.apps import AppConfig


class WordPressApiConfig(AppConfig):
    name = "wordpress_api"
    verbose_name = "WordPress-compatible API"

    def ready(self) -> None:
        from wordpress_api import cache  # noqa: F401 - registers the cacheable routes
