from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "newsdesk.stories"
    verbose_name = "Articles and stories"
