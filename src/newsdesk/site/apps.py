from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "newsdesk.site"
    label = "newsdesk_site"
    verbose_name = "Public site"

    def ready(self) -> None:
        from newsdesk.site import cache, tasks  # noqa: F401  (connects receivers, registers jobs)
