"""Background jobs for stories: lead images are fetched after their articles are stored,
stories whose articles changed are summarised, a site's earlier articles lose the template
lines its later ones revealed, and site template lines seen once long ago are pruned."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from newsdesk.stories import site_lines, summaries
from newsdesk.stories.images import process_pending


@db_periodic_task(crontab(minute="*"))
@lock_task("fetch-images")
def fetch_images() -> tuple[int, int]:
    """Fetch pending lead images, one batch a minute; (ready, tried)."""
    return process_pending(limit=50)


@db_periodic_task(crontab(minute="43", hour="4"))
@lock_task("prune-site-lines")
def prune_site_lines() -> int:
    """Daily: forget site lines too rare to be template and unseen for a month; how many."""
    return site_lines.prune(timezone.now())


@db_task()
def backfill_site_template(host: str) -> int:
    """Clean a host's recent articles with what its counts know now; how many changed."""
    return site_lines.backfill(host, timezone.now())


@db_periodic_task(crontab(minute="*"))
@lock_task("summarize-stories")
def summarize_stories() -> int:
    """Summarise stories whose articles changed, one batch a minute; how many."""
    return summaries.summarize_due(limit=200)
