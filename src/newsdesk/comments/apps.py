from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "newsdesk.comments"
    verbose_name = "Comments"

    def ready(self) -> None:
        from newsdesk.comments import signals, tasks  # noqa: F401  (receivers, periodic jobs)
