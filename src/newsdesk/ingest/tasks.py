"""Background jobs (huey): the scheduler polls due sources; workers fetch and extract.

The same code runs on the embedded SQLite queue and on a shared queue with many workers.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from newsdesk.ingest.models import Source
from newsdesk.ingest.service import Options, due_sources, ingest_entry, poll_feed
from newsdesk.pipeline.feeds import FeedEntry

log = logging.getLogger(__name__)

# A claimed source is not claimed again before its poll job could have run.
CLAIM = timedelta(minutes=10)
# A job waits this long at most for its host; then it is rescheduled, freeing the worker.
JOB_MAX_WAIT = 5.0


def _job_options() -> Options:
    opts = Options.from_settings()
    return replace(opts, rules=replace(opts.rules, max_wait=JOB_MAX_WAIT))


@db_periodic_task(crontab(minute="*"))
def schedule_due_sources() -> int:
    """Enqueue one poll job per due source; return how many were enqueued."""
    now = timezone.now()
    count = 0
    for source in due_sources(now):
        # Claimed first, so that several schedulers (several workers started without
        # --no-scheduler) never queue one source twice. Should this process die between
        # the claim and the queueing (a millisecond), the claim runs out and the source is
        # polled CLAIM later: delayed, not lost.
        claimed = Source.objects.filter(pk=source.pk, next_fetch_at=source.next_fetch_at).update(
            next_fetch_at=now + CLAIM
        )
        if claimed:
            poll_source_job(source.pk)
            count += 1
    if count:
        log.info("scheduled %d due sources", count)
    return count


@db_task(retries=2, retry_delay=60)
def poll_source_job(source_id: int) -> int:
    """Poll one source's feed and enqueue a job per new entry; return how many."""
    source = Source.objects.filter(pk=source_id, active=True).first()
    if source is None:
        return 0
    opts = _job_options()
    with opts.client() as client:
        report = poll_feed(source, client, timezone.now(), opts)
    for entry in report.new_entries:
        ingest_entry_job(source_id, entry)
    return len(report.new_entries)


@db_task(retries=2, retry_delay=120)
def ingest_entry_job(source_id: int, entry: FeedEntry) -> str:
    """Fetch, extract and store one entry's article; return the outcome."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return "gone"
    opts = _job_options()
    with opts.client() as client:
        result = ingest_entry(source, entry, client, timezone.now(), opts)
    if result.outcome == "deferred":
        # The host is busy or paused: try again later instead of holding a worker.
        ingest_entry_job.schedule((source_id, entry), delay=max(result.wait, 1.0))
    return result.outcome
