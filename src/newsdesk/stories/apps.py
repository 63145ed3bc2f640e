from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "newsdesk.stories"
    verbose_name = "Articles and stories"

    def ready(self) -> None:
        # tasks: registers the lead-image job, or `newsdesk worker` (which imports only the
        # ingest jobs itself) never knows it, and never fetches a lead image.
        from newsdesk.stories import signals, tasks  # noqa: F401  (receivers, periodic job)
