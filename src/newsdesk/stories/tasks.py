"""Background jobs for stories: lead images are fetched after their articles are stored."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from newsdesk.stories.images import process_pending


@db_periodic_task(crontab(minute="*"))
@lock_task("fetch-images")
def fetch_images() -> tuple[int, int]:
    """Fetch pending lead images, one batch a minute; (ready, tried)."""
    return process_pending(limit=50)
