"""Background jobs of the public site."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from newsdesk.site import cache, cache_sync


@db_periodic_task(crontab(minute="*/5"))
def expire_pages() -> int:
    """Delete cached pages older than their lifetime (nginx cannot tell their age)."""
    return cache.expire() if cache.enabled() else 0


@db_periodic_task(crontab(minute="*/10"))
def prune_purge_log() -> int:
    """Delete purge-log rows every machine's keeper has read."""
    return cache_sync.prune()
