"""A deleted article leaves a tombstone, so polling never brings it back; bulk changes to
stories and articles are announced (``rows_changed``) since ``.update()`` sends no signal."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import Signal, receiver

from newsdesk.stories.models import Article, Tombstone


@receiver(post_delete, sender=Article)
def bury_article(sender: type[Article], instance: Article, **kwargs: Any) -> None:
    """Record the deleted article's canonical URL and GUID."""
    Tombstone.objects.get_or_create(
        canonical_url=instance.canonical_url,
        defaults={
            "guid": instance.guid,
            "source_id": instance.source_id,
            "title": instance.title[:500],
        },
    )


# Sent by code that changes stories or articles with bulk ``.update()`` calls, which send no
# model signals, so that caches of published pages can drop what changed. Arguments:
# ``story_ids`` (their articles included) and ``article_ids``.
rows_changed = Signal()
