"""A deleted article leaves a tombstone, so polling never brings it back."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

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
