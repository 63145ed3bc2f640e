from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "newsdesk.stories"
    verbose_name = "Articles and stories"

    def ready(self) -> None:
        from newsdesk.stories import signals  # noqa: F401  (connects the receivers)
