"""What the public site stores of its own: the purge log that keeps every machine's page
cache in step (site/cache_sync.py)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PagePurge(models.Model):
    """A change that made cached pages stale, for web machines with a page cache of their own.

    The process that made the change purges its own cache folder (``origin``) at once;
    every other folder's keeper reads the rows it has not seen and purges the same pages.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    origin = models.CharField(max_length=40)
    story_ids = models.JSONField(default=list)
    article_ids = models.JSONField(default=list)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"purge {self.pk}: {len(self.story_ids)} stories, {len(self.article_ids)} articles"
